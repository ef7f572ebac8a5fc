"""Connection services the web API calls. They flush; the caller's transaction commits.

Everything is looked up through the actor's row-level security first, so what an actor may not
see is :class:`NotFound`. Credentials never leave this module except sealed, and views never
carry them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.audit.service import record
from failsafe.connections import consent, credentials
from failsafe.connections.models import Connection
from failsafe.db.actor import Actor
from failsafe.engagements.models import Engagement
from failsafe.errors import Conflict, NotFound, ValidationFailed
from failsafe.secrets.keyring import KeyRing
from failsafe.settings import Settings

PUBLIC_OPTIONS = ("mail_signals", "user_tokens", "admin_email", "service_account_email")
REDIRECT_PATH = "/connections/microsoft/callback"


@dataclass(frozen=True)
class ConnectionView:
    """What the API may show about a connection (never credentials)."""

    id: uuid.UUID
    engagement_id: uuid.UUID
    provider: str
    tenant_ref: str
    display_name: str
    status: str
    options: dict[str, Any]
    has_credentials: bool
    created_at: datetime
    revoked_at: datetime | None
    last_scan_at: datetime | None

    @classmethod
    def of(cls, row: Connection) -> ConnectionView:
        return cls(
            id=row.id,
            engagement_id=row.engagement_id,
            provider=row.provider,
            tenant_ref=row.tenant_ref,
            display_name=row.display_name,
            status=row.status,
            options={k: v for k, v in (row.options or {}).items() if k in PUBLIC_OPTIONS},
            has_credentials=row.sealed_credentials is not None,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            last_scan_at=row.last_scan_at,
        )


@dataclass(frozen=True)
class ConsentStart:
    connection: ConnectionView
    consent_url: str


async def _engagement(session: AsyncSession, engagement_id: uuid.UUID) -> Engagement:
    engagement = await session.get(Engagement, engagement_id)
    if engagement is None:
        raise NotFound("engagement not found")
    if engagement.status != "active":
        raise Conflict("the engagement is completed; it takes no new connections")
    return engagement


async def _load(
    session: AsyncSession, connection_id: uuid.UUID, *, lock: bool = False
) -> Connection:
    query = select(Connection).where(Connection.id == connection_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("connection not found")
    return row


async def _flush(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("this engagement already has a live connection to that tenant") from exc


async def create_microsoft_connection(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    engagement_id: uuid.UUID,
    *,
    redirect_uri: str | None = None,
    tenant_hint: str | None = None,
    display_name: str = "",
    mail_signals: bool = True,
    ip: str | None = None,
) -> ConsentStart:
    """A pending Microsoft connection and the admin-consent link for it."""
    await _engagement(session, engagement_id)
    connection_id = uuid.uuid4()
    state, state_hash = consent.new_state(connection_id)
    row = Connection(
        id=connection_id,
        engagement_id=engagement_id,
        provider="microsoft",
        tenant_ref=f"pending:{connection_id}",
        display_name=display_name[:200],
        status="pending",
        options={"mail_signals": mail_signals, consent.STATE_HASH_OPTION: state_hash},
    )
    session.add(row)
    await _flush(session)
    await record(
        session,
        actor,
        "connection.created",
        engagement_id=engagement_id,
        target_type="connection",
        target_id=connection_id,
        ip=ip,
        details={"provider": "microsoft"},
    )
    url = consent.consent_url(
        settings.microsoft_login_base_url,
        tenant_hint or "organizations",
        settings.microsoft_client_id,
        state,
        redirect_uri or settings.public_base_url.rstrip("/") + REDIRECT_PATH,
    )
    return ConsentStart(ConnectionView.of(row), url)


async def complete_microsoft_consent(
    session: AsyncSession,
    actor: Actor,
    keyring: KeyRing,
    *,
    state: str,
    admin_consent: str | None = None,
    tenant: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
    ip: str | None = None,
) -> ConnectionView:
    """Handle the consent redirect (``admin_consent``, ``tenant``, ``state`` or ``error``)."""
    connection_id, token = consent.parse_state(state)
    row = await _load(session, connection_id, lock=True)
    if row.provider != "microsoft" or row.status != "pending":
        raise Conflict("this connection is not waiting for consent")
    if not consent.state_matches(token, row.options.get(consent.STATE_HASH_OPTION)):
        raise ValidationFailed("the consent state does not match this connection")
    options = {k: v for k, v in row.options.items() if k != consent.STATE_HASH_OPTION}
    if error or str(admin_consent).lower() != "true" or not tenant:
        row.status, row.options, row.updated_at = "error", options, datetime.now(UTC)
        await record(
            session,
            actor,
            "connection.consent_failed",
            engagement_id=row.engagement_id,
            target_type="connection",
            target_id=row.id,
            ip=ip,
            details={"error": (error or "consent not given")[:100]},
        )
        await session.flush()
        raise ValidationFailed(
            f"admin consent was not granted: {(error_description or error or 'no consent')[:200]}"
        )
    _check_tenant(tenant)
    row.tenant_ref = tenant.lower()
    row.status, row.options, row.updated_at = "active", options, datetime.now(UTC)
    row.sealed_credentials = credentials.seal(
        keyring, row.id, {"provider": "microsoft", "tenant_id": tenant.lower()}
    )
    await _flush(session)
    await record(
        session,
        actor,
        "connection.granted",
        engagement_id=row.engagement_id,
        target_type="connection",
        target_id=row.id,
        ip=ip,
        details={"provider": "microsoft"},
    )
    return ConnectionView.of(row)


def _check_tenant(tenant: str) -> None:
    try:
        uuid.UUID(tenant)
    except ValueError as exc:
        raise ValidationFailed("the consent callback named no tenant id") from exc


async def create_google_connection(
    session: AsyncSession,
    actor: Actor,
    keyring: KeyRing,
    engagement_id: uuid.UUID,
    *,
    service_account_json: bytes | str,
    admin_email: str,
    display_name: str = "",
    user_tokens: bool = False,
    mail_signals: bool = True,
    ip: str | None = None,
) -> ConnectionView:
    """An active Google connection from an uploaded key file and the admin to impersonate."""
    await _engagement(session, engagement_id)
    info = credentials.parse_service_account(service_account_json)
    admin = credentials.validate_admin_email(admin_email)
    connection_id = uuid.uuid4()
    row = Connection(
        id=connection_id,
        engagement_id=engagement_id,
        provider="google",
        tenant_ref=admin.rpartition("@")[2],
        display_name=display_name[:200],
        status="active",
        options={
            "mail_signals": mail_signals,
            "user_tokens": user_tokens,
            "admin_email": admin,
            "service_account_email": info["client_email"],
        },
        sealed_credentials=credentials.seal(
            keyring,
            connection_id,
            {"provider": "google", "service_account": info, "admin_email": admin},
        ),
    )
    session.add(row)
    await _flush(session)
    await record(
        session,
        actor,
        "connection.granted",
        engagement_id=engagement_id,
        target_type="connection",
        target_id=connection_id,
        ip=ip,
        details={"provider": "google", "user_tokens": user_tokens},
    )
    return ConnectionView.of(row)


async def list_connections(session: AsyncSession, engagement_id: uuid.UUID) -> list[ConnectionView]:
    """The engagement's connections, newest first (revoked ones included)."""
    rows = await session.execute(
        select(Connection)
        .where(Connection.engagement_id == engagement_id)
        .order_by(Connection.created_at.desc())
    )
    return [ConnectionView.of(row) for row in rows.scalars()]


async def get_connection(session: AsyncSession, connection_id: uuid.UUID) -> ConnectionView:
    return ConnectionView.of(await _load(session, connection_id))


async def revoke_connection(
    session: AsyncSession, actor: Actor, connection_id: uuid.UUID, *, ip: str | None = None
) -> ConnectionView:
    """Delete the sealed credentials, cancel queued scans, audit; running scans stop at their
    next section boundary (they check the connection's status)."""
    row = await _load(session, connection_id, lock=True)
    if row.status == "revoked":
        raise Conflict("the connection is already revoked")
    now = datetime.now(UTC)
    row.status, row.sealed_credentials, row.revoked_at, row.updated_at = "revoked", None, now, now
    await session.flush()
    cancelled = await _cancel_queued_scans(session, row.id)
    await record(
        session,
        actor,
        "connection.revoked",
        engagement_id=row.engagement_id,
        target_type="connection",
        target_id=row.id,
        ip=ip,
        details={"provider": row.provider, "scans_cancelled": cancelled},
    )
    return ConnectionView.of(row)


async def _cancel_queued_scans(session: AsyncSession, connection_id: uuid.UUID) -> int:
    scans = await session.execute(
        text(
            "UPDATE scans SET status = 'failed', error = 'cancelled: connection revoked',"
            " finished_at = now() WHERE connection_id = :c AND status = 'queued' RETURNING id"
        ),
        {"c": connection_id},
    )
    ids = [str(scan_id) for (scan_id,) in scans]
    if ids:
        # Their jobs would find the scan failed and do nothing; cancelling keeps the queue clean.
        await session.execute(
            text(
                "SELECT procrastinate_cancel_job_v1(id, false, false) FROM procrastinate_jobs"
                " WHERE status = 'todo' AND args->>'scan_id' = ANY(:ids)"
            ),
            {"ids": ids},
        )
    return len(ids)
