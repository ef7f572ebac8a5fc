"""Browser sessions: opaque random tokens, stored as SHA-256, with idle and absolute expiry.

A session is created at sign-in, rotated (a new token, the old row revoked) when the second
factor is verified, and revoked on sign-out, on a password change (the others) and when the
account is deleted. Lookups run as a system actor because nobody is known before the cookie is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.crypto import derive, digest, new_token
from failsafe.accounts.principal import Principal
from failsafe.db.actor import Role, UserActor
from failsafe.settings import Settings

COOKIE_NAME = "__Host-fs_session"
# last_seen_at is written at most this often, so reads do not turn every request into a write.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
        )


@dataclass(frozen=True)
class NewSession:
    """A freshly minted session: the raw token goes into the cookie and nowhere else."""

    id: uuid.UUID
    token: str
    expires_at: datetime


def csrf_for(token: str) -> str:
    """The synchronizer CSRF token bound to a session token (nothing extra is stored)."""
    return derive(token, "csrf")


_INSERT = text(
    "INSERT INTO sessions (user_id, token_hash, mfa_verified, created_at, last_seen_at,"
    " expires_at, ip, user_agent)"
    " VALUES (:user_id, :token_hash, :mfa_verified, :now, :now, :expires_at,"
    " CAST(:ip AS inet), :user_agent) RETURNING id"
)

_RESOLVE = text(
    """
    SELECT s.id, s.user_id, u.account_id, u.role, s.mfa_verified, s.last_seen_at,
           EXISTS (SELECT 1 FROM mfa_totp m
                   WHERE m.user_id = u.id AND m.confirmed_at IS NOT NULL) AS mfa_enrolled
    FROM sessions s
    JOIN users u ON u.id = s.user_id
    JOIN accounts a ON a.id = u.account_id
    WHERE s.token_hash = :token_hash AND s.revoked_at IS NULL
      AND s.expires_at > :now AND s.last_seen_at > :idle_cutoff
      AND u.status = 'active' AND a.status = 'active'
    """
)


async def create_session(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    mfa_verified: bool,
    now: datetime,
    policy: SessionPolicy,
    ip: str | None,
    user_agent: str,
) -> NewSession:
    """Insert a session row and return its one-time raw token."""
    token = new_token()
    expires_at = now + policy.absolute
    session_id = await session.scalar(
        _INSERT,
        {
            "user_id": user_id,
            "token_hash": digest(token),
            "mfa_verified": mfa_verified,
            "now": now,
            "expires_at": expires_at,
            "ip": ip,
            "user_agent": user_agent[:300],
        },
    )
    assert session_id is not None
    return NewSession(id=session_id, token=token, expires_at=expires_at)


async def lookup_session(
    session: AsyncSession, token: str, *, now: datetime, policy: SessionPolicy
) -> tuple[Principal, bool] | None:
    """The principal behind a session cookie and whether ``last_seen_at`` is due a write.

    Read-only (no row lock), so it can share a transaction with work that later rotates or
    revokes the session from another transaction. None if unknown, expired or revoked.
    """
    row = (
        await session.execute(
            _RESOLVE,
            {"token_hash": digest(token), "now": now, "idle_cutoff": now - policy.idle},
        )
    ).one_or_none()
    if row is None:
        return None
    principal = Principal(
        actor=UserActor(user_id=row.user_id, account_id=row.account_id, role=Role(row.role)),
        via="session",
        credential_id=row.id,
        mfa_enrolled=bool(row.mfa_enrolled),
        mfa_verified=bool(row.mfa_verified),
        csrf_token=csrf_for(token),
    )
    return principal, row.last_seen_at < now - TOUCH_EVERY


async def touch_session(session: AsyncSession, session_id: uuid.UUID, *, now: datetime) -> None:
    """Record activity (moves the idle deadline on)."""
    await session.execute(
        text("UPDATE sessions SET last_seen_at = :now WHERE id = :id AND revoked_at IS NULL"),
        {"now": now, "id": session_id},
    )


async def resolve_session(
    session: AsyncSession, token: str, *, now: datetime, policy: SessionPolicy
) -> Principal | None:
    """:func:`lookup_session` and, when due, :func:`touch_session` in the same transaction."""
    found = await lookup_session(session, token, now=now, policy=policy)
    if found is None:
        return None
    principal, touch_due = found
    if touch_due:
        await touch_session(session, principal.credential_id, now=now)
    return principal


async def rotate_session(
    session: AsyncSession,
    session_id: uuid.UUID,
    *,
    user_id: uuid.UUID,
    now: datetime,
    policy: SessionPolicy,
    ip: str | None,
    user_agent: str,
) -> NewSession:
    """Replace a session with a new, MFA-verified one (defeats session fixation)."""
    await revoke_session(session, session_id, now=now, reason="rotated")
    return await create_session(
        session,
        user_id=user_id,
        mfa_verified=True,
        now=now,
        policy=policy,
        ip=ip,
        user_agent=user_agent,
    )


async def revoke_session(
    session: AsyncSession, session_id: uuid.UUID, *, now: datetime, reason: str
) -> bool:
    """Revoke one session; False if it was not live (or not visible to the actor)."""
    result = await session.execute(
        text(
            "UPDATE sessions SET revoked_at = :now, revoked_reason = :reason"
            " WHERE id = :id AND revoked_at IS NULL RETURNING id"
        ),
        {"now": now, "reason": reason, "id": session_id},
    )
    return result.first() is not None


async def revoke_user_sessions(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    now: datetime,
    reason: str,
    keep: uuid.UUID | None = None,
) -> int:
    """Revoke every live session of a user except ``keep``; returns how many."""
    result = await session.execute(
        text(
            "UPDATE sessions SET revoked_at = :now, revoked_reason = :reason"
            " WHERE user_id = :user_id AND revoked_at IS NULL"
            " AND (CAST(:keep AS uuid) IS NULL OR id <> CAST(:keep AS uuid)) RETURNING id"
        ),
        {"now": now, "reason": reason, "user_id": user_id, "keep": keep},
    )
    return len(result.all())
