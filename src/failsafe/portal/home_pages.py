"""The engagements home: every engagement the actor may see, sortable; create and invite.

Partners see their clients' engagements, clients their own, admins all (RLS decides). A
partner creates a client account with its first engagement in one form and invites the
client's users from the engagement page.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Form, Request, Response

from failsafe.accounts import service as accounts
from failsafe.accounts.context import AuthContext
from failsafe.db.actor import Role
from failsafe.errors import Conflict, Forbidden, ValidationFailed
from failsafe.portal.forms import see_other
from failsafe.portal.home_query import SORT_COLUMNS, engagement_rows
from failsafe.portal.pages import page_router
from failsafe.portal.posture_query import postures
from failsafe.portal.templating import render
from failsafe.web.context import auth_context, client_ip
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = page_router()
Ctx = Annotated[AuthContext, Depends(auth_context)]
Name = Annotated[str, Form(min_length=1, max_length=200)]


@router.get("/home")
async def home(
    request: Request,
    actor: CurrentActor,
    session: DbSession,
    sort: str = "name",
    order: str = "asc",
) -> Response:
    """The engagements table; admins land on their console."""
    if actor.role is Role.ADMIN and "sort" not in request.query_params:
        return see_other("/admin")
    sort = sort if sort in SORT_COLUMNS else "name"
    descending = order == "desc"
    rows = await engagement_rows(session, sort=sort, descending=descending)
    # Two scans per tenant are enough for the score and its change since the scan before.
    posture = await postures(session, [row.id for row in rows], depth=2)
    clients = []
    if actor.role is Role.PARTNER:
        clients = [
            a
            for a in await accounts.list_accounts(session)
            if a.kind == "customer"
            and a.managed_by_account_id == actor.account_id
            and a.status == "active"
        ]
    return render(
        request,
        "partner/home.html",
        rows=rows,
        posture=posture,
        found={engagement: p.found for engagement, p in posture.items()},
        sort=sort,
        order="desc" if descending else "asc",
        clients=clients,
        error=None,
    )


@router.post("/engagements")
async def create_engagement(
    request: Request,
    actor: CurrentActor,
    session: DbSession,
    name: Name,
    client_name: Annotated[str, Form(max_length=200)] = "",
    client_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """A new engagement, for an existing client or a new client account (partners)."""
    ip = client_ip(request)
    if client_id:
        try:
            customer = uuid.UUID(client_id)
        except ValueError as exc:
            raise ValidationFailed("choose a client") from exc
    elif client_name.strip() and actor.role is Role.PARTNER:
        account = await accounts.create_account(
            session, actor, name=client_name.strip(), kind="customer", ip=ip
        )
        customer = account.id
    elif actor.role is Role.CLIENT:
        customer = actor.account_id
    else:
        raise ValidationFailed("name the client or choose an existing one")
    engagement = await accounts.create_engagement(
        session, actor, customer_account_id=customer, name=name.strip(), ip=ip
    )
    return see_other(f"/engagements/{engagement.id}")


@router.post("/engagements/{engagement_id}/invite")
async def invite(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    ctx: Ctx,
    email: Annotated[str, Form(min_length=3, max_length=320)],
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Invite a user into the engagement's customer account (they choose a password)."""
    account = await accounts.visible_account(session, engagement.customer_account_id)
    try:
        await accounts.invite_user(
            session,
            actor,
            account,
            email=email,
            name=name.strip(),
            link_base=ctx.settings.public_base_url.rstrip("/"),
            now=ctx.clock.now(),
            ip=client_ip(request),
        )
    except (Conflict, Forbidden) as exc:
        return render(
            request,
            "errors/error.html",
            status=exc.status,
            title="The invitation was not sent",
            detail=exc.detail,
        )
    return see_other(f"/engagements/{engagement.id}?invited=1")
