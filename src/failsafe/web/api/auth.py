"""``/auth``: sign-up, verification, sign-in, the MFA step, sign-out, reset, invitations.

Every route here is rate limited per account and per IP in PostgreSQL; answers that could tell
whether an email has an account are the same either way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, Field

from failsafe.accounts import reset, signin, signup
from failsafe.accounts.context import AuthContext
from failsafe.accounts.sessions import csrf_for
from failsafe.web.api.schemas import ERRORS, Email, In, OkOut
from failsafe.web.context import auth_context, client_ip, user_agent
from failsafe.web.cookies import clear_session_cookie, set_session_cookie
from failsafe.web.deps import PendingDbSession, PendingPrincipal

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERRORS)
Ctx = Annotated[AuthContext, Depends(auth_context)]
Password = Annotated[str, Field(min_length=1, max_length=1024)]
Token = Annotated[str, Field(min_length=1, max_length=200)]


class SignUpIn(In):
    email: Email
    password: Password
    name: str = Field(min_length=1, max_length=200)
    company: str = Field(min_length=1, max_length=200)


class EmailIn(In):
    email: Email


class TokenIn(In):
    token: Token


class SignInIn(In):
    email: Email
    password: Password


class SignInOut(BaseModel):
    mfa_required: bool
    mfa_enrolment_required: bool
    csrf_token: str


class MfaIn(In):
    code: str | None = Field(default=None, max_length=12)
    recovery_code: str | None = Field(default=None, max_length=40)


class MfaOut(BaseModel):
    csrf_token: str


class ResetIn(In):
    token: Token
    password: Password


class AcceptIn(In):
    token: Token
    password: Password
    name: str | None = Field(default=None, max_length=200)


ACCEPTED = OkOut(status="accepted")


@router.post("/signup", status_code=status.HTTP_202_ACCEPTED, response_model=OkOut)
async def sign_up(body: SignUpIn, request: Request, ctx: Ctx) -> OkOut:
    """Create a customer account; the answer is the same if the email is already taken."""
    await signup.sign_up(
        ctx,
        email=body.email,
        password=body.password,
        name=body.name,
        company=body.company,
        ip=client_ip(request),
    )
    return ACCEPTED


@router.post("/verify", response_model=OkOut)
async def verify(body: TokenIn, request: Request, ctx: Ctx) -> OkOut:
    """Confirm an email address with the emailed token."""
    await signup.verify_email(ctx, body.token, ip=client_ip(request))
    return OkOut(status="verified")


@router.post("/verify/resend", status_code=status.HTTP_202_ACCEPTED, response_model=OkOut)
async def resend(body: EmailIn, request: Request, ctx: Ctx) -> OkOut:
    """Send a new verification link (if one is due); always the same answer."""
    await signup.resend_verification(ctx, body.email, ip=client_ip(request))
    return ACCEPTED


@router.post("/signin", response_model=SignInOut)
async def sign_in(body: SignInIn, request: Request, response: Response, ctx: Ctx) -> SignInOut:
    """Check email and password; sets the session cookie (MFA-pending if MFA is enrolled)."""
    result = await signin.sign_in(
        ctx, body.email, body.password, ip=client_ip(request), user_agent=user_agent(request)
    )
    set_session_cookie(response, result.session, ctx.clock.now())
    return SignInOut(
        mfa_required=result.mfa_required,
        mfa_enrolment_required=result.mfa_enrolment_required,
        csrf_token=csrf_for(result.session.token),
    )


@router.post("/mfa", response_model=MfaOut)
async def mfa_step(
    body: MfaIn, request: Request, response: Response, ctx: Ctx, principal: PendingPrincipal
) -> MfaOut:
    """The second step: a TOTP code or a recovery code; rotates the session."""
    new = await signin.complete_mfa(
        ctx,
        principal,
        code=body.code,
        recovery_code=body.recovery_code,
        ip=client_ip(request),
        user_agent=user_agent(request),
    )
    set_session_cookie(response, new, ctx.clock.now())
    return MfaOut(csrf_token=csrf_for(new.token))


@router.post("/signout", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(
    request: Request,
    response: Response,
    ctx: Ctx,
    principal: PendingPrincipal,
    session: PendingDbSession,
) -> Response:
    """Revoke this session and clear the cookie."""
    await signin.sign_out(session, ctx, principal, ip=client_ip(request))
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(answer)
    return answer


@router.post("/password/forgot", status_code=status.HTTP_202_ACCEPTED, response_model=OkOut)
async def forgot(body: EmailIn, request: Request, ctx: Ctx) -> OkOut:
    """Email a reset link if the address has an account; the same answer either way."""
    await reset.request_reset(ctx, body.email, ip=client_ip(request))
    return ACCEPTED


@router.post("/password/reset", response_model=OkOut)
async def reset_password(body: ResetIn, request: Request, ctx: Ctx) -> OkOut:
    """Set a new password with a reset token; every session of the user is revoked."""
    await reset.complete_reset(ctx, body.token, body.password, ip=client_ip(request))
    return OkOut(status="password_reset")


@router.post("/invitations/accept", response_model=OkOut)
async def accept(body: AcceptIn, request: Request, ctx: Ctx) -> OkOut:
    """Choose a password for an invited user."""
    await signup.accept_invitation(
        ctx, body.token, password=body.password, name=body.name, ip=client_ip(request)
    )
    return OkOut(status="accepted")
