"""Sign-in, the MFA step and sign-out.

Sign-in does the same work whether or not the email exists: one rate-limit upsert, one lookup,
one argon2 verification (against a decoy hash for unknown emails) and one audit row, so neither
the answer nor its timing tells which emails have accounts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts import limits, mfa, ratelimit
from failsafe.accounts.context import AuthContext
from failsafe.accounts.errors import InvalidCredentials
from failsafe.accounts.lookup import can_sign_in, normalise_email, user_by_email
from failsafe.accounts.models import User
from failsafe.accounts.principal import MFA_MANDATORY, Principal
from failsafe.accounts.sessions import NewSession, create_session, revoke_session, rotate_session
from failsafe.audit.service import record
from failsafe.db.actor import Role, SystemActor, UserActor
from failsafe.errors import BadRequest, Forbidden

log = structlog.get_logger(__name__)
SIGNIN_ACTOR = SystemActor("auth.signin")


class EmailNotVerified(Forbidden):
    code = "email_not_verified"


@dataclass(frozen=True)
class SignInResult:
    session: NewSession
    user_id: uuid.UUID
    mfa_required: bool
    mfa_enrolment_required: bool


async def sign_in(
    ctx: AuthContext, email: str, password: str, *, ip: str | None, user_agent: str
) -> SignInResult:
    """Check the password and open a session (MFA-pending when the user has MFA)."""
    email = normalise_email(email)
    await limits.enforce(
        ctx, [(ratelimit.SIGNIN_ACCOUNT, email), (ratelimit.SIGNIN_IP, ip or "unknown")], ip=ip
    )

    async with ctx.db.transaction(SIGNIN_ACTOR) as session:
        found = await user_by_email(session, email)
    user, account = found if found else (None, None)
    # Outside any transaction: argon2 is slow on purpose, and must not hold a connection.
    matches = ctx.passwords.verify(user.password_hash if user else None, password)
    if user is None or account is None or not matches or not can_sign_in(user, account):
        await _record_failure(ctx, user, ip)
        raise InvalidCredentials("email or password is incorrect")
    if user.email_verified_at is None:
        raise EmailNotVerified("confirm your email address first; we sent you a link")

    now = ctx.clock.now()
    actor = UserActor(user_id=user.id, account_id=user.account_id, role=Role(user.role))
    async with ctx.db.transaction(actor) as session:
        enrolled = await mfa.is_enrolled(session, user.id)
        new = await create_session(
            session,
            user_id=user.id,
            mfa_verified=False,
            now=now,
            policy=ctx.policy,
            ip=ip,
            user_agent=user_agent,
        )
        values: dict[str, object] = {"last_sign_in_at": now}
        if user.password_hash and ctx.passwords.needs_rehash(user.password_hash):
            # The cost settings changed since this hash was made: upgrade it now.
            values["password_hash"] = ctx.passwords.hash(password)
        await session.execute(update(User).where(User.id == user.id).values(**values))
        await record(
            session,
            actor,
            "auth.signed_in",
            target_type="session",
            target_id=new.id,
            ip=ip,
            details={"mfa_pending": enrolled, "rehashed": "password_hash" in values},
        )
    await limits.clear(ctx, ratelimit.SIGNIN_ACCOUNT, email)
    log.info("auth.signed_in", user_id=str(user.id), session_id=str(new.id))
    return SignInResult(
        session=new,
        user_id=user.id,
        mfa_required=enrolled,
        mfa_enrolment_required=not enrolled and actor.role in MFA_MANDATORY,
    )


async def _record_failure(ctx: AuthContext, user: User | None, ip: str | None) -> None:
    async with ctx.db.transaction(SIGNIN_ACTOR) as session:
        await record(
            session,
            SIGNIN_ACTOR,
            "auth.signin_failed",
            account_id=user.account_id if user else None,
            target_type="user" if user else None,
            target_id=user.id if user else None,
            ip=ip,
        )


async def complete_mfa(
    ctx: AuthContext,
    principal: Principal,
    *,
    code: str | None,
    recovery_code: str | None,
    ip: str | None,
    user_agent: str,
) -> NewSession:
    """Verify the second factor and rotate the session into a fully signed-in one."""
    if not principal.needs_mfa_step:
        raise BadRequest("no MFA step is pending for this session")
    actor = principal.actor
    await limits.enforce(
        ctx,
        [(ratelimit.MFA_USER, str(actor.user_id)), (ratelimit.MFA_IP, ip or "unknown")],
        ip=ip,
    )
    now = ctx.clock.now()
    async with ctx.db.transaction(actor) as session:
        if recovery_code:
            ok = await mfa.use_recovery_code(
                session, actor, actor.user_id, recovery_code, now=now, ip=ip
            )
        elif code:
            ok = await mfa.verify_code(session, actor.user_id, ctx.keyring, code, now=now)
        else:
            ok = False
        if not ok:
            await record(
                session,
                actor,
                "auth.mfa_failed",
                target_type="user",
                target_id=actor.user_id,
                ip=ip,
            )
            new = None
        else:
            new = await rotate_session(
                session,
                principal.credential_id,
                user_id=actor.user_id,
                now=now,
                policy=ctx.policy,
                ip=ip,
                user_agent=user_agent,
            )
            await record(
                session,
                actor,
                "auth.mfa_verified",
                target_type="session",
                target_id=new.id,
                ip=ip,
                details={"method": "recovery_code" if recovery_code else "totp"},
            )
    if new is None:
        raise InvalidCredentials("the code is not valid")
    await limits.clear(ctx, ratelimit.MFA_USER, str(actor.user_id))
    return new


async def sign_out(
    session: AsyncSession, ctx: AuthContext, principal: Principal, *, ip: str | None
) -> None:
    """Revoke the current session, in ``session``: the request's transaction as its user."""
    if principal.via != "session":
        raise BadRequest("sign-out applies to browser sessions; revoke API tokens instead")
    await revoke_session(session, principal.credential_id, now=ctx.clock.now(), reason="signed_out")
    await record(
        session,
        principal.actor,
        "auth.signed_out",
        target_type="session",
        target_id=principal.credential_id,
        ip=ip,
    )
