"""Connecting tenants: the permission manifest first, then Microsoft admin consent or a
Google service-account upload; status, last scan and revocation with the tenant-side steps.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, File, Form, Request, Response, UploadFile

from failsafe.accounts.context import AuthContext
from failsafe.connections import manifest
from failsafe.connections import service as connections
from failsafe.connections.service import ConnectionView
from failsafe.errors import Conflict, NotFound, ValidationFailed
from failsafe.portal.forms import see_other
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.web.context import auth_context, client_ip
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = page_router()
Ctx = Annotated[AuthContext, Depends(auth_context)]
PREFIX = "/engagements/{engagement_id}/connections"
MAX_KEY_BYTES = 20_000


async def _connection(
    session: DbSession, engagement: VisibleEngagement, connection_id: uuid.UUID
) -> ConnectionView:
    view = await connections.get_connection(session, connection_id)
    if view.engagement_id != engagement.id:
        raise NotFound("connection not found")  # never across engagements, even if visible
    return view


@router.get(PREFIX)
async def index(request: Request, engagement: VisibleEngagement, session: DbSession) -> Response:
    """The tenants of the engagement and the two ways to connect one."""
    return render(
        request,
        "engagement/connections.html",
        engagement=engagement,
        tab="connections",
        connections=await connections.list_connections(session, engagement.id),
        microsoft=manifest.for_provider("microsoft"),
        google=manifest.for_provider("google"),
        error=None,
    )


@router.post(PREFIX + "/microsoft")
async def connect_microsoft(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    ctx: Ctx,
    display_name: Annotated[str, Form(max_length=200)] = "",
    mail_signals: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Create the pending connection and send the browser to Microsoft's admin consent."""
    start = await connections.create_microsoft_connection(
        session,
        actor,
        ctx.settings,
        engagement.id,
        display_name=display_name.strip(),
        mail_signals=mail_signals == "yes",
        ip=client_ip(request),
    )
    return see_other(start.consent_url)


@router.post(PREFIX + "/google")
async def connect_google(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    ctx: Ctx,
    key_file: Annotated[UploadFile, File()],
    admin_email: Annotated[str, Form(min_length=3, max_length=320)],
    display_name: Annotated[str, Form(max_length=200)] = "",
    mail_signals: Annotated[str, Form(max_length=5)] = "",
    user_tokens: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Seal the uploaded service-account key; the raw file is never written anywhere."""
    data = await key_file.read(MAX_KEY_BYTES + 1)
    try:
        if len(data) > MAX_KEY_BYTES:
            raise ValidationFailed("that file is too large to be a service-account key")
        await connections.create_google_connection(
            session,
            actor,
            ctx.keyring,
            engagement.id,
            service_account_json=data,
            admin_email=admin_email,
            display_name=display_name.strip(),
            user_tokens=user_tokens == "yes",
            mail_signals=mail_signals == "yes",
            ip=client_ip(request),
        )
    except (ValidationFailed, Conflict) as exc:
        return render(
            request,
            "engagement/connections.html",
            status=exc.status,
            engagement=engagement,
            tab="connections",
            connections=await connections.list_connections(session, engagement.id),
            microsoft=manifest.for_provider("microsoft"),
            google=manifest.for_provider("google"),
            error=exc.detail,
        )
    return see_other(f"/engagements/{engagement.id}/connections")


@router.get(PREFIX + "/{connection_id}/revoke")
async def revoke_page(
    request: Request,
    engagement: VisibleEngagement,
    session: DbSession,
    connection_id: uuid.UUID,
) -> Response:
    """Confirm revocation, with the steps that remove the consent inside the tenant too."""
    view = await _connection(session, engagement, connection_id)
    return render(
        request,
        "engagement/revoke.html",
        engagement=engagement,
        tab="connections",
        connection=view,
        done=False,
    )


@router.post(PREFIX + "/{connection_id}/revoke")
async def revoke(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    connection_id: uuid.UUID,
) -> Response:
    """Delete the sealed credentials at once and stop its scans."""
    await _connection(session, engagement, connection_id)
    view = await connections.revoke_connection(session, actor, connection_id, ip=client_ip(request))
    return render(
        request,
        "engagement/revoke.html",
        engagement=engagement,
        tab="connections",
        connection=view,
        done=True,
    )


@router.get("/connections/microsoft/callback")
async def microsoft_callback(
    request: Request,
    actor: CurrentActor,
    session: DbSession,
    ctx: Ctx,
    state: str = "",
    admin_consent: str | None = None,
    tenant: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> Response:
    """Microsoft sends the admin back here; the state ties the answer to one connection."""
    view = await connections.complete_microsoft_consent(
        session,
        actor,
        ctx.keyring,
        state=state,
        admin_consent=admin_consent,
        tenant=tenant,
        error=error,
        error_description=error_description,
        ip=client_ip(request),
    )
    return see_other(f"/engagements/{view.engagement_id}/connections")
