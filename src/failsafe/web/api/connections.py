"""``/engagements/{engagement_id}/connections``: tenants connected read-only to an engagement.

``VisibleEngagement`` runs first on every route; an object id from another engagement is 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from failsafe.connections import service
from failsafe.connections.service import ConnectionView
from failsafe.errors import NotFound
from failsafe.web.api.schemas import ERRORS, Email, In
from failsafe.web.context import client_ip, runtime_of
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = APIRouter(
    prefix="/engagements/{engagement_id}/connections", tags=["connections"], responses=ERRORS
)


class ConnectionOut(BaseModel):
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
    def of(cls, view: ConnectionView) -> ConnectionOut:
        return cls(**{name: getattr(view, name) for name in cls.model_fields})


class MicrosoftIn(In):
    display_name: str = Field(default="", max_length=200)
    tenant_hint: str | None = Field(default=None, max_length=100, pattern=r"^[A-Za-z0-9.-]+$")
    mail_signals: bool = True


class MicrosoftOut(BaseModel):
    connection: ConnectionOut
    consent_url: str


class GoogleIn(In):
    service_account_json: str = Field(min_length=2, max_length=20_000)
    admin_email: Email
    display_name: str = Field(default="", max_length=200)
    user_tokens: bool = False
    mail_signals: bool = True


async def _owned(
    session: DbSession, engagement_id: uuid.UUID, connection_id: uuid.UUID
) -> ConnectionView:
    view = await service.get_connection(session, connection_id)
    if view.engagement_id != engagement_id:
        raise NotFound("connection not found")
    return view


@router.get("", response_model=list[ConnectionOut])
async def list_connections(
    engagement: VisibleEngagement, session: DbSession
) -> list[ConnectionOut]:
    """The engagement's connections, newest first."""
    return [ConnectionOut.of(v) for v in await service.list_connections(session, engagement.id)]


@router.post("/microsoft", response_model=MicrosoftOut, status_code=status.HTTP_201_CREATED)
async def connect_microsoft(
    body: MicrosoftIn,
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> MicrosoftOut:
    """Start a Microsoft 365 connection: returns the admin-consent link to open."""
    started = await service.create_microsoft_connection(
        session,
        actor,
        runtime_of(request).settings,
        engagement.id,
        tenant_hint=body.tenant_hint,
        display_name=body.display_name,
        mail_signals=body.mail_signals,
        ip=client_ip(request),
    )
    return MicrosoftOut(
        connection=ConnectionOut.of(started.connection), consent_url=started.consent_url
    )


@router.post("/google", response_model=ConnectionOut, status_code=status.HTTP_201_CREATED)
async def connect_google(
    body: GoogleIn,
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> ConnectionOut:
    """Connect Google Workspace with a service-account key (sealed at once, never shown)."""
    view = await service.create_google_connection(
        session,
        actor,
        runtime_of(request).keyring,
        engagement.id,
        service_account_json=body.service_account_json,
        admin_email=body.admin_email,
        display_name=body.display_name,
        user_tokens=body.user_tokens,
        mail_signals=body.mail_signals,
        ip=client_ip(request),
    )
    return ConnectionOut.of(view)


@router.get("/{connection_id}", response_model=ConnectionOut)
async def get_connection(
    connection_id: uuid.UUID, engagement: VisibleEngagement, session: DbSession
) -> ConnectionOut:
    """One connection of the engagement."""
    return ConnectionOut.of(await _owned(session, engagement.id, connection_id))


@router.post("/{connection_id}/revoke", response_model=ConnectionOut)
async def revoke_connection(
    connection_id: uuid.UUID,
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> ConnectionOut:
    """Revoke: the sealed credentials are deleted at once and queued scans cancelled."""
    await _owned(session, engagement.id, connection_id)
    view = await service.revoke_connection(session, actor, connection_id, ip=client_ip(request))
    return ConnectionOut.of(view)
