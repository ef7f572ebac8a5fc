"""TOTP multi-factor authentication with single-use recovery codes.

The TOTP secret is sealed with the key ring (bound to its row) and registered as a sealed column
so ``failsafe secrets rotate`` re-seals it. A code is accepted once: the 30-second step it
belongs to is stored, and a code from the same or an earlier step is refused (RFC 6238 §5.2).
Ten recovery codes of 80 random bits are shown once and kept as SHA-256. Enrolment, removal and
every recovery-code use are audit-logged.
"""

from __future__ import annotations

import base64
import io
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.crypto import digest
from failsafe.accounts.models import RecoveryCode, TotpFactor
from failsafe.audit.service import record
from failsafe.db.actor import Actor
from failsafe.errors import Conflict, NotFound
from failsafe.secrets.keyring import KeyRing
from failsafe.secrets.registry import MFA_TOTP_SECRET

TOTP_SECRET = MFA_TOTP_SECRET
ISSUER = "FailSafe"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read back


@dataclass(frozen=True)
class Enrolment:
    """What the user needs to add FailSafe to an authenticator app."""

    secret: str
    otpauth_uri: str
    qr_svg: str

    @property
    def qr_data_uri(self) -> str:
        """The QR code as an ``img src`` (allowed by the CSP's ``img-src data:``)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.qr_svg.encode()).decode()


def _qr_svg(uri: str) -> str:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", xmldecl=False, scale=5, border=2)
    return buffer.getvalue().decode()


async def _factor(session: AsyncSession, user_id: uuid.UUID) -> TotpFactor | None:
    factor: TotpFactor | None = await session.scalar(
        select(TotpFactor).where(TotpFactor.user_id == user_id)
    )
    return factor


async def is_enrolled(session: AsyncSession, user_id: uuid.UUID) -> bool:
    factor = await _factor(session, user_id)
    return factor is not None and factor.confirmed_at is not None


async def start_enrolment(
    session: AsyncSession, user_id: uuid.UUID, email: str, keyring: KeyRing, *, now: datetime
) -> Enrolment:
    """Create (or replace an unconfirmed) TOTP secret; refused while one is enrolled."""
    factor = await _factor(session, user_id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("MFA is already enrolled; remove it before enrolling again")
    if factor is not None:
        await session.delete(factor)
        await session.flush()

    secret = pyotp.random_base32(length=32)
    factor_id = uuid.uuid4()
    sealed = keyring.seal(secret.encode(), TOTP_SECRET.associated_data(factor_id))
    session.add(TotpFactor(id=factor_id, user_id=user_id, sealed_secret=sealed, created_at=now))
    await session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return Enrolment(secret=secret, otpauth_uri=uri, qr_svg=_qr_svg(uri))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The step (of the current one and its two neighbours) whose code is ``code``."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


async def _accept_code(
    session: AsyncSession, factor: TotpFactor, keyring: KeyRing, code: str, now: datetime
) -> bool:
    secret = keyring.open(factor.sealed_secret, TOTP_SECRET.associated_data(factor.id)).decode()
    step = _matching_step(secret, code, now)
    if step is None:
        return False
    # Atomic: of two concurrent requests with the same code, exactly one moves the step on.
    moved = await session.execute(
        text(
            "UPDATE mfa_totp SET last_used_step = :step WHERE id = :id"
            " AND (last_used_step IS NULL OR last_used_step < :step) RETURNING id"
        ),
        {"step": step, "id": factor.id},
    )
    return moved.first() is not None


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))  # 16 x log2(31) > 79 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _recovery_digest(code: str) -> bytes:
    return digest(code.strip().lower().replace("-", "").replace(" ", ""))


async def _replace_recovery_codes(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=_recovery_digest(code), created_at=now)
        for code in codes
    )
    await session.flush()
    return codes


async def confirm_enrolment(
    session: AsyncSession,
    actor: Actor,
    user_id: uuid.UUID,
    keyring: KeyRing,
    code: str,
    *,
    now: datetime,
    ip: str | None = None,
) -> list[str] | None:
    """Confirm with a first code; returns the ten recovery codes, or None if the code is wrong."""
    factor = await _factor(session, user_id)
    if factor is None or factor.confirmed_at is not None:
        raise NotFound("no MFA enrolment in progress")
    if not await _accept_code(session, factor, keyring, code, now):
        return None
    factor.confirmed_at = now
    codes = await _replace_recovery_codes(session, user_id, now)
    await record(
        session,
        actor,
        "mfa.enrolled",
        target_type="user",
        target_id=user_id,
        ip=ip,
        details={"factor": "totp"},
    )
    return codes


async def verify_code(
    session: AsyncSession, user_id: uuid.UUID, keyring: KeyRing, code: str, *, now: datetime
) -> bool:
    """Check a TOTP code for an enrolled user (refusing replays)."""
    factor = await _factor(session, user_id)
    if factor is None or factor.confirmed_at is None:
        return False
    return await _accept_code(session, factor, keyring, code, now)


async def use_recovery_code(
    session: AsyncSession,
    actor: Actor,
    user_id: uuid.UUID,
    code: str,
    *,
    now: datetime,
    ip: str | None = None,
) -> bool:
    """Spend one recovery code (atomically: a code works once); audit-logged."""
    used = await session.execute(
        text(
            "UPDATE mfa_recovery_codes SET used_at = :now WHERE user_id = :user_id"
            " AND code_hash = :code_hash AND used_at IS NULL RETURNING id"
        ),
        {"now": now, "user_id": user_id, "code_hash": _recovery_digest(code)},
    )
    row = used.first()
    if row is None:
        return False
    remaining = await session.scalar(
        text(
            "SELECT count(*) FROM mfa_recovery_codes WHERE user_id = :user_id AND used_at IS NULL"
        ),
        {"user_id": user_id},
    )
    await record(
        session,
        actor,
        "mfa.recovery_code_used",
        target_type="user",
        target_id=user_id,
        ip=ip,
        details={"remaining": int(remaining or 0)},
    )
    return True


async def regenerate_recovery_codes(
    session: AsyncSession, actor: Actor, user_id: uuid.UUID, *, now: datetime, ip: str | None
) -> list[str]:
    """Replace every recovery code (the old ones stop working at once)."""
    if not await is_enrolled(session, user_id):
        raise NotFound("MFA is not enrolled")
    codes = await _replace_recovery_codes(session, user_id, now)
    await record(
        session,
        actor,
        "mfa.recovery_codes_regenerated",
        target_type="user",
        target_id=user_id,
        ip=ip,
    )
    return codes


async def remove(
    session: AsyncSession, actor: Actor, user_id: uuid.UUID, *, ip: str | None = None
) -> None:
    """Remove the TOTP factor and the recovery codes; audit-logged."""
    factor = await _factor(session, user_id)
    if factor is None:
        raise NotFound("MFA is not enrolled")
    await session.delete(factor)
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    await record(
        session,
        actor,
        "mfa.removed",
        target_type="user",
        target_id=user_id,
        ip=ip,
        details={"factor": "totp"},
    )
