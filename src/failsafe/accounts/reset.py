"""Password reset and password change.

A reset request answers the same, in the same time, whether or not the email exists, by
construction: the request runs the rate limits, looks the address up (one indexed statement
that returns an id or nothing) and queues one job either way, naming the user or no one. The
job, in a worker, issues the token and queues the email; for no one it does nothing. The job
carries no email address, only the user's id.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts import emailtokens, limits, ratelimit
from failsafe.accounts.context import AuthContext
from failsafe.accounts.errors import InvalidToken, WrongPassword
from failsafe.accounts.lookup import active_user_id, can_sign_in, normalise_email, user_by_id
from failsafe.accounts.mail import send_email
from failsafe.accounts.models import User
from failsafe.accounts.passwords import check_password
from failsafe.accounts.sessions import revoke_user_sessions
from failsafe.audit.service import record
from failsafe.db.actor import SystemActor, UserActor
from failsafe.operations.defer import defer_in_transaction

RESET_ACTOR = SystemActor("auth.reset")
RESET_QUEUE = "accounts"
RESET_TASK = "accounts:send_reset_link"


async def request_reset(ctx: AuthContext, email: str, *, ip: str | None) -> None:
    """Queue a reset link for the address: the same work whether or not it has an account."""
    email = normalise_email(email)
    await limits.enforce(
        ctx, [(ratelimit.RESET_ACCOUNT, email), (ratelimit.RESET_IP, ip or "unknown")], ip=ip
    )
    requested_at = ctx.clock.now()
    async with ctx.db.transaction(RESET_ACTOR) as session:
        user_id = await active_user_id(session, email)
        await defer_in_transaction(
            session,
            RESET_TASK,
            queue=RESET_QUEUE,
            args={
                "user_id": str(user_id) if user_id is not None else None,
                "requested_at": requested_at.isoformat(),
            },
        )


async def send_reset_link(
    ctx: AuthContext, user_id: uuid.UUID | None, requested_at: datetime
) -> bool:
    """The queued half of a reset request: issue the token (valid from the request) and queue
    the email. False when there is no one to send it to, or no longer."""
    if user_id is None:
        return False
    async with ctx.db.transaction(RESET_ACTOR) as session:
        found = await user_by_id(session, user_id)
        if found is None or not can_sign_in(*found):
            return False
        user = found[0]
        token = await emailtokens.issue(session, user.id, "reset_password", requested_at)
        await send_email(
            session,
            user.email,
            "reset_password",
            {"link": ctx.link("/reset", token), "minutes": 30},
            account_id=user.account_id,
        )
    return True


async def complete_reset(
    ctx: AuthContext, token: str, new_password: str, *, ip: str | None
) -> uuid.UUID:
    """Set a new password from a reset token (single use); every session is revoked."""
    await limits.enforce(ctx, [(ratelimit.RESET_IP, ip or "unknown")], ip=ip)
    now = ctx.clock.now()
    async with ctx.db.transaction(RESET_ACTOR) as session:
        user_id = await emailtokens.peek(session, token, "reset_password", now)
        user = await session.get(User, user_id) if user_id else None
        if user is None:
            raise InvalidToken("this link is invalid or has expired")
        check_password(new_password, email=user.email, names=(user.display_name,))
        if await emailtokens.consume(session, token, "reset_password", now) is None:
            raise InvalidToken("this link is invalid or has expired")
        user.password_hash = ctx.passwords.hash(new_password)
        # The reset proved control of the inbox.
        user.email_verified_at = user.email_verified_at or now
        revoked = await revoke_user_sessions(session, user.id, now=now, reason="password_reset")
        await record(
            session,
            RESET_ACTOR,
            "user.password_reset",
            account_id=user.account_id,
            target_type="user",
            target_id=user.id,
            ip=ip,
            details={"sessions_revoked": revoked},
        )
    return user.id


async def change_password(
    ctx: AuthContext,
    session: AsyncSession,
    actor: UserActor,
    *,
    current: str,
    new: str,
    keep_session: uuid.UUID | None,
    ip: str | None,
) -> int:
    """Change the acting user's password; every other session is revoked. Returns how many."""
    user = await session.scalar(select(User).where(User.id == actor.user_id))
    if user is None or not ctx.passwords.verify(user.password_hash, current):
        raise WrongPassword("current password is incorrect")
    check_password(new, email=user.email, names=(user.display_name,))
    user.password_hash = ctx.passwords.hash(new)
    revoked = await revoke_user_sessions(
        session, user.id, now=ctx.clock.now(), reason="password_changed", keep=keep_session
    )
    await record(
        session,
        actor,
        "user.password_changed",
        target_type="user",
        target_id=user.id,
        ip=ip,
        details={"sessions_revoked": revoked},
    )
    return revoked
