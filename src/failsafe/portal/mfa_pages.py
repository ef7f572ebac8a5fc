"""The MFA step after the password, and TOTP enrolment (QR code as an SVG image).

Enrolment starts with a POST (a GET never creates a secret), shows the QR code and the secret
for manual entry, and is confirmed with a first code; the session is then rotated into an
MFA-verified one and the ten recovery codes are shown once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request, Response
from sqlalchemy import select

from failsafe.accounts import mfa, signin
from failsafe.accounts.context import AuthContext
from failsafe.accounts.errors import InvalidCredentials, MfaRequired
from failsafe.accounts.models import User
from failsafe.accounts.sessions import csrf_for, rotate_session
from failsafe.errors import BadRequest, TooManyRequests
from failsafe.portal.forms import safe_next, see_other
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.web.context import auth_context, client_ip, user_agent
from failsafe.web.cookies import set_session_cookie
from failsafe.web.deps import PendingDbSession, PendingPrincipal

router = page_router()
Ctx = Annotated[AuthContext, Depends(auth_context)]
Code = Annotated[str, Form(max_length=64)]


@router.get("/mfa")
async def challenge_page(request: Request, principal: PendingPrincipal, next: str = "") -> Response:
    """Ask for the authenticator code (or a recovery code)."""
    if not principal.needs_mfa_step:
        return see_other(safe_next(next))
    return render(request, "auth/mfa.html", error=None, next=safe_next(next))


@router.post("/mfa")
async def challenge_submit(
    request: Request,
    principal: PendingPrincipal,
    ctx: Ctx,
    code: Code = "",
    recovery_code: Code = "",
    next: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        new = await signin.complete_mfa(
            ctx,
            principal,
            code=code.strip() or None,
            recovery_code=recovery_code.strip() or None,
            ip=client_ip(request),
            user_agent=user_agent(request),
        )
    except (InvalidCredentials, TooManyRequests) as exc:
        return render(
            request, "auth/mfa.html", status=exc.status, error=exc.detail, next=safe_next(next)
        )
    response = see_other(safe_next(next))
    set_session_cookie(response, new, ctx.clock.now())
    return response


def _may_enrol(principal: PendingPrincipal) -> None:
    if principal.needs_mfa_step:
        raise MfaRequired("complete the MFA step first")
    if principal.via != "session":
        raise BadRequest("MFA is managed from a signed-in browser session")


@router.get("/mfa/enrol")
async def enrol_page(request: Request, principal: PendingPrincipal) -> Response:
    """Explain the step; partners and admins cannot use anything else until it is done."""
    _may_enrol(principal)
    return render(
        request,
        "auth/mfa_enrol.html",
        enrolled=principal.mfa_enrolled,
        mandatory=principal.needs_enrolment,
        enrolment=None,
        error=None,
    )


@router.post("/mfa/enrol/start")
async def enrol_start(
    request: Request, principal: PendingPrincipal, session: PendingDbSession, ctx: Ctx
) -> Response:
    _may_enrol(principal)
    user = await session.scalar(select(User).where(User.id == principal.actor.user_id))
    assert user is not None  # the session resolved, so the user row is visible to its owner
    enrolment = await mfa.start_enrolment(
        session, user.id, user.email, ctx.keyring, now=ctx.clock.now()
    )
    return render(
        request,
        "auth/mfa_enrol.html",
        enrolled=False,
        mandatory=False,
        enrolment=enrolment,
        error=None,
    )


@router.post("/mfa/enrol/confirm")
async def enrol_confirm(
    request: Request,
    principal: PendingPrincipal,
    session: PendingDbSession,
    ctx: Ctx,
    code: Code,
) -> Response:
    """Confirm with a first code, rotate the session, show the recovery codes once."""
    _may_enrol(principal)
    now = ctx.clock.now()
    ip = client_ip(request)
    codes = await mfa.confirm_enrolment(
        session,
        principal.actor,
        principal.actor.user_id,
        ctx.keyring,
        code.strip(),
        now=now,
        ip=ip,
    )
    if codes is None:
        return render(
            request,
            "auth/mfa_enrol.html",
            status=422,
            enrolled=False,
            mandatory=principal.needs_enrolment,
            enrolment=None,
            error="That code is not valid. Start again and use the newest code.",
        )
    new = await rotate_session(
        session,
        principal.credential_id,
        user_id=principal.actor.user_id,
        now=now,
        policy=ctx.policy,
        ip=ip,
        user_agent=user_agent(request),
    )
    # The page that shows the codes needs the new session's CSRF token for its links' forms.
    request.state.csrf_override = csrf_for(new.token)
    response = render(request, "auth/recovery_codes.html", codes=codes)
    set_session_cookie(response, new, now)
    return response
