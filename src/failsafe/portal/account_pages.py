"""The signed-in user's own settings: sessions, API tokens, the digest, account deletion."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import Depends, Form, Request, Response
from sqlalchemy import select

from failsafe.accounts import mfa, tokens
from failsafe.accounts.context import AuthContext
from failsafe.accounts.deletion import may_delete, request_account_deletion
from failsafe.accounts.errors import WrongPassword
from failsafe.accounts.models import Account, User, UserSession
from failsafe.accounts.sessions import revoke_session
from failsafe.audit.service import record
from failsafe.errors import NotFound
from failsafe.notifications import digest
from failsafe.portal.forms import see_other
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.web.context import auth_context, client_ip
from failsafe.web.cookies import clear_session_cookie
from failsafe.web.deps import CurrentPrincipal, DbSession

router = page_router(prefix="/account")
Ctx = Annotated[AuthContext, Depends(auth_context)]


async def _live_sessions(
    session: DbSession, principal: CurrentPrincipal, ctx: AuthContext
) -> list[UserSession]:
    now = ctx.clock.now()
    return list(
        await session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == principal.actor.user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
                UserSession.last_seen_at > now - ctx.policy.idle,
            )
            .order_by(UserSession.created_at.desc())
        )
    )


async def _overview_context(
    session: DbSession, principal: CurrentPrincipal, ctx: AuthContext
) -> dict[str, Any]:
    user = await session.get(User, principal.actor.user_id)
    account = await session.get(Account, principal.actor.account_id)
    if user is None or account is None:
        raise NotFound("account not found")
    return {
        "user": user,
        "account": account,
        "mfa_enrolled": await mfa.is_enrolled(session, user.id),
        "sessions": await _live_sessions(session, principal, ctx),
        "current_session": principal.credential_id,
        "api_tokens": await tokens.list_tokens(session, principal.actor),
        "subscribed": await digest.is_subscribed(session, principal.actor.user_id),
        "may_delete": may_delete(principal.actor, account),
        "now": ctx.clock.now(),
        "error": None,
    }


@router.get("")
async def overview(
    request: Request, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> Response:
    """Profile, two-step verification, sessions, tokens, digest and deletion in one page."""
    context = await _overview_context(session, principal, ctx)
    return render(request, "account/overview.html", **context)


@router.post("/sessions/{session_id}/revoke")
async def revoke(
    session_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
) -> Response:
    """Sign out one session (RLS: only the user's own are reachable)."""
    if not await revoke_session(session, session_id, now=ctx.clock.now(), reason="user_revoked"):
        raise NotFound("session not found")
    await record(
        session,
        principal.actor,
        "auth.session_revoked",
        target_type="session",
        target_id=session_id,
        ip=client_ip(request),
    )
    if session_id == principal.credential_id:
        response = see_other("/signin")
        clear_session_cookie(response)
        return response
    return see_other("/account#sessions")


@router.post("/tokens")
async def create_token(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    scope: Annotated[Literal["read", "write"], Form()] = "read",
    days: Annotated[int, Form(ge=1, le=365)] = 90,
) -> Response:
    """Issue a personal API token; the raw value is shown on this one response only."""
    now = ctx.clock.now()
    issued = await tokens.issue_token(
        session,
        principal.actor,
        name=name,
        scope=scope,
        now=now,
        expires_at=now + timedelta(days=days),
    )
    await record(
        session,
        principal.actor,
        "api_token.created",
        target_type="api_token",
        target_id=issued.token.id,
        ip=client_ip(request),
        details={"scope": scope},
    )
    # The secret is on this one response only; never stored, never logged.
    return render(request, "account/token_created.html", token=issued.token, raw=issued.raw)


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(
    token_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
) -> Response:
    if not await tokens.revoke_token(session, principal.actor, token_id, now=ctx.clock.now()):
        raise NotFound("token not found")
    await record(
        session,
        principal.actor,
        "api_token.revoked",
        target_type="api_token",
        target_id=token_id,
        ip=client_ip(request),
    )
    return see_other("/account#tokens")


@router.post("/digest")
async def set_digest(
    principal: CurrentPrincipal,
    session: DbSession,
    subscribed: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Opt in to (or out of) the weekly digest email."""
    actor = principal.actor
    await digest.set_digest_opt_in(
        session, actor.user_id, actor.account_id, opted_in=subscribed == "yes"
    )
    return see_other("/account#digest")


@router.post("/delete")
async def delete_account(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
    password: Annotated[str, Form(max_length=1024)],
    confirm: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Soft-delete the user's own account (the nightly job hard-deletes it at 04:00 UTC)."""
    account = await session.get(Account, principal.actor.account_id)
    if account is None:
        raise NotFound("account not found")
    if confirm.strip() != account.name:
        return await _account_error(
            request, principal, session, ctx, "Type the account name exactly to confirm."
        )
    try:
        await request_account_deletion(
            session,
            principal.actor,
            account.id,
            password=password,
            passwords=ctx.passwords,
            clock=ctx.clock,
            ip=client_ip(request),
        )
    except WrongPassword as exc:
        return await _account_error(request, principal, session, ctx, exc.detail)
    response = render(request, "account/deleted.html", account_name=account.name)
    clear_session_cookie(response)
    return response


async def _account_error(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: AuthContext,
    error: str,
) -> Response:
    context = await _overview_context(session, principal, ctx)
    context["error"] = error
    return render(request, "account/overview.html", status=422, **context)
