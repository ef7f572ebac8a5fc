"""Sign-up, email verification, sign-in, sign-out and password reset pages.

These run before a session exists, so their forms carry the double-submit token of
:mod:`failsafe.portal.anon_csrf`. Every answer that could reveal whether an email has an
account is the same either way (the services are built for that; the pages keep it so).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request, Response

from failsafe.accounts import reset, signin, signup
from failsafe.accounts.context import AuthContext
from failsafe.accounts.errors import InvalidCredentials, InvalidToken, WeakPassword
from failsafe.errors import TooManyRequests, ValidationFailed
from failsafe.portal import anon_csrf
from failsafe.portal.forms import safe_next, see_other
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.web.context import auth_context, client_ip, user_agent
from failsafe.web.cookies import clear_session_cookie, set_session_cookie
from failsafe.web.deps import PendingDbSession, PendingPrincipal

router = page_router()
Ctx = Annotated[AuthContext, Depends(auth_context)]
Text = Annotated[str, Form(max_length=1024)]


def _form(request: Request, template: str, *, status: int = 200, **context: object) -> Response:
    anon_csrf.issue(request)
    return anon_csrf.attach(request, render(request, template, status=status, **context))


@router.get("/")
async def root(request: Request) -> Response:
    """The portal's front door: home when signed in, the sign-in page otherwise."""
    return see_other("/home" if request.cookies.get("__Host-fs_session") else "/signin")


@router.get("/signup")
async def signup_page(request: Request) -> Response:
    return _form(request, "auth/signup.html", error=None, values={})


@router.post("/signup")
async def signup_submit(
    request: Request,
    ctx: Ctx,
    email: Text,
    password: Text,
    name: Annotated[str, Form(max_length=200)],
    company: Annotated[str, Form(min_length=1, max_length=200)],
    csrf_token: Text = "",
) -> Response:
    """Create the account; the same "check your inbox" page whatever the email."""
    anon_csrf.check(request, csrf_token)
    values = {"email": email, "name": name, "company": company}
    try:
        await signup.sign_up(
            ctx, email=email, password=password, name=name, company=company, ip=client_ip(request)
        )
    except (WeakPassword, ValidationFailed, TooManyRequests) as exc:
        return _form(
            request, "auth/signup.html", status=exc.status, error=exc.detail, values=values
        )
    return render(request, "auth/check_inbox.html", email=email)


@router.get("/verify")
async def verify_page(request: Request, token: str = "") -> Response:
    """The link in the email lands here; confirming is a POST so mail scanners cannot spend it."""
    return _form(request, "auth/verify.html", token=token, error=None)


@router.post("/verify")
async def verify_submit(request: Request, ctx: Ctx, token: Text, csrf_token: Text = "") -> Response:
    anon_csrf.check(request, csrf_token)
    try:
        await signup.verify_email(ctx, token, ip=client_ip(request))
    except (InvalidToken, TooManyRequests) as exc:
        return _form(request, "auth/verify.html", status=exc.status, token="", error=exc.detail)
    return see_other("/signin?verified=1")


@router.get("/signin")
async def signin_page(request: Request, next: str = "", verified: str = "") -> Response:
    notice = "Your email is confirmed. Sign in to continue." if verified else None
    return _form(
        request, "auth/signin.html", error=None, notice=notice, next=safe_next(next), email=""
    )


@router.post("/signin")
async def signin_submit(
    request: Request,
    ctx: Ctx,
    email: Text,
    password: Text,
    next: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Password first; then the MFA step, MFA enrolment or the page the user wanted."""
    anon_csrf.check(request, csrf_token)
    try:
        result = await signin.sign_in(
            ctx, email, password, ip=client_ip(request), user_agent=user_agent(request)
        )
    except (InvalidCredentials, signin.EmailNotVerified, TooManyRequests) as exc:
        return _form(
            request,
            "auth/signin.html",
            status=exc.status,
            error=exc.detail,
            notice=None,
            next=safe_next(next),
            email=email,
        )
    if result.mfa_required:
        target = f"/mfa?next={safe_next(next)}"
    elif result.mfa_enrolment_required:
        target = "/mfa/enrol"
    else:
        target = safe_next(next)
    response = see_other(target)
    set_session_cookie(response, result.session, ctx.clock.now())
    return response


@router.post("/signout")
async def signout(
    request: Request, principal: PendingPrincipal, session: PendingDbSession, ctx: Ctx
) -> Response:
    """Revoke this session (the shared deps checked the CSRF token)."""
    await signin.sign_out(session, ctx, principal, ip=client_ip(request))
    response = see_other("/signin")
    clear_session_cookie(response)
    return response


@router.get("/reset")
async def reset_page(request: Request, token: str = "") -> Response:
    """Without a token: ask for the email. With one (from the email): choose a new password."""
    template = "auth/reset_complete.html" if token else "auth/reset_request.html"
    return _form(request, template, token=token, error=None, sent=False)


@router.post("/reset/request")
async def reset_request(request: Request, ctx: Ctx, email: Text, csrf_token: Text = "") -> Response:
    anon_csrf.check(request, csrf_token)
    try:
        await reset.request_reset(ctx, email, ip=client_ip(request))
    except TooManyRequests as exc:
        return _form(
            request, "auth/reset_request.html", status=429, token="", error=exc.detail, sent=False
        )
    return _form(request, "auth/reset_request.html", token="", error=None, sent=True)


@router.post("/reset/complete")
async def reset_complete(
    request: Request, ctx: Ctx, token: Text, password: Text, csrf_token: Text = ""
) -> Response:
    anon_csrf.check(request, csrf_token)
    try:
        await reset.complete_reset(ctx, token, password, ip=client_ip(request))
    except (InvalidToken, WeakPassword, TooManyRequests) as exc:
        return _form(
            request,
            "auth/reset_complete.html",
            status=exc.status,
            token=token,
            error=exc.detail,
            sent=False,
        )
    return see_other("/signin")
