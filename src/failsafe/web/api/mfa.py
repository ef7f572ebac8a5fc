"""``/me/mfa``: TOTP enrolment (with a QR code), removal and recovery codes.

Enrolment is open to a partner or admin who has not enrolled yet (it is all they can do);
a session that still owes its MFA step may not touch any of this.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from failsafe.accounts import mfa
from failsafe.accounts.context import AuthContext
from failsafe.accounts.errors import InvalidCredentials, MfaRequired, WrongPassword
from failsafe.accounts.models import User
from failsafe.accounts.principal import Principal
from failsafe.accounts.sessions import csrf_for, rotate_session
from failsafe.errors import BadRequest
from failsafe.web.api.schemas import ERRORS, In, OkOut
from failsafe.web.context import auth_context, client_ip, user_agent
from failsafe.web.cookies import set_session_cookie
from failsafe.web.deps import CurrentPrincipal, PendingDbSession, PendingPrincipal

router = APIRouter(prefix="/me/mfa", tags=["mfa"], responses=ERRORS)
Ctx = Annotated[AuthContext, Depends(auth_context)]


def _may_enrol(principal: Principal) -> Principal:
    if principal.needs_mfa_step:
        raise MfaRequired("complete the MFA step first")
    if principal.via != "session":
        raise BadRequest("MFA is managed from a signed-in browser session")
    return principal


class EnrolmentOut(BaseModel):
    secret: str
    otpauth_uri: str
    qr_svg: str
    qr_data_uri: str


@router.post("/totp", response_model=EnrolmentOut)
async def start(principal: PendingPrincipal, session: PendingDbSession, ctx: Ctx) -> EnrolmentOut:
    """Begin TOTP enrolment: scan the QR code (or type the secret), then confirm with a code."""
    _may_enrol(principal)
    user = await session.scalar(select(User).where(User.id == principal.actor.user_id))
    assert user is not None
    enrolment = await mfa.start_enrolment(
        session, user.id, user.email, ctx.keyring, now=ctx.clock.now()
    )
    return EnrolmentOut(
        secret=enrolment.secret,
        otpauth_uri=enrolment.otpauth_uri,
        qr_svg=enrolment.qr_svg,
        qr_data_uri=enrolment.qr_data_uri,
    )


class CodeIn(In):
    code: str = Field(min_length=6, max_length=12)


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]
    csrf_token: str | None = None


@router.post("/totp/confirm", response_model=RecoveryCodesOut)
async def confirm(
    body: CodeIn,
    request: Request,
    response: Response,
    principal: PendingPrincipal,
    session: PendingDbSession,
    ctx: Ctx,
) -> RecoveryCodesOut:
    """Finish enrolment with a first code; returns ten recovery codes (shown once).

    The session is rotated into an MFA-verified one (a step-up), so the new cookie is set here.
    """
    _may_enrol(principal)
    now = ctx.clock.now()
    ip = client_ip(request)
    codes = await mfa.confirm_enrolment(
        session, principal.actor, principal.actor.user_id, ctx.keyring, body.code, now=now, ip=ip
    )
    if codes is None:
        raise InvalidCredentials("the code is not valid")
    new = await rotate_session(
        session,
        principal.credential_id,
        user_id=principal.actor.user_id,
        now=now,
        policy=ctx.policy,
        ip=ip,
        user_agent=user_agent(request),
    )
    set_session_cookie(response, new, now)
    return RecoveryCodesOut(recovery_codes=codes, csrf_token=csrf_for(new.token))


class PasswordIn(In):
    password: str = Field(min_length=1, max_length=1024)


@router.post("/totp/remove", response_model=OkOut)
async def remove(
    body: PasswordIn,
    request: Request,
    principal: CurrentPrincipal,
    session: PendingDbSession,
    ctx: Ctx,
) -> OkOut:
    """Remove TOTP (needs the password). Partners and admins must then enrol again."""
    user = await session.scalar(select(User).where(User.id == principal.actor.user_id))
    if user is None or not ctx.passwords.verify(user.password_hash, body.password):
        raise WrongPassword("current password is incorrect")
    await mfa.remove(session, principal.actor, user.id, ip=client_ip(request))
    return OkOut(status="removed")


@router.post("/recovery-codes", response_model=RecoveryCodesOut)
async def regenerate(
    request: Request, principal: CurrentPrincipal, session: PendingDbSession, ctx: Ctx
) -> RecoveryCodesOut:
    """Replace all recovery codes with ten new ones."""
    codes = await mfa.regenerate_recovery_codes(
        session,
        principal.actor,
        principal.actor.user_id,
        now=ctx.clock.now(),
        ip=client_ip(request),
    )
    return RecoveryCodesOut(recovery_codes=codes)
