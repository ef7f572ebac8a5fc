"""Password reset and password change.

A reset request answers the same, in the same time, whether or not the email exists: both paths
do one rate-limit upsert, one lookup, generate and hash a token, and make the same number of
round trips to the database (the unknown path runs equivalent statements and one real write).

Limitation: the equality is by equivalent work, not by construction; queueing the lookup and the
email as a job (the request then only enqueues) would make the answer constant-time.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts import emailtokens, limits, ratelimit
from failsafe.accounts.context import AuthContext
from failsafe.accounts.crypto import digest, new_token
from failsafe.accounts.errors import InvalidToken, WrongPassword
from failsafe.accounts.lookup import can_sign_in, normalise_email, user_by_email
from failsafe.accounts.mail import rehearse, send_email
from failsafe.accounts.models import User
from failsafe.accounts.passwords import check_password
from failsafe.accounts.sessions import revoke_user_sessions
from failsafe.audit.service import record
from failsafe.db.actor import SystemActor, UserActor

RESET_ACTOR = SystemActor("auth.reset")
# A bucket nobody is limited by: the unknown-email path writes to it to match the known path.
DECOY = ratelimit.Limit("reset.decoy", 2**31 - 1, ratelimit.MINUTE)


async def request_reset(ctx: AuthContext, email: str, *, ip: str | None) -> None:
    """Email a reset link when the address has an active account; otherwise do the same work."""
    email = normalise_email(email)
    await limits.enforce(
        ctx, [(ratelimit.RESET_ACCOUNT, email), (ratelimit.RESET_IP, ip or "unknown")], ip=ip
    )
    now = ctx.clock.now()
    async with ctx.db.transaction(RESET_ACTOR) as session:
        found = await user_by_email(session, email)
        if found is not None and can_sign_in(*found):
            token = await emailtokens.issue(session, found[0].id, "reset_password", now)
            await send_email(
                session,
                email,
                "reset_password",
                {"link": ctx.link("/reset", token), "minutes": 30},
                account_id=found[0].account_id,
            )
        else:
            await _equivalent_work(ctx, session)


async def _equivalent_work(ctx: AuthContext, session: AsyncSession) -> None:
    # Mirrors issue() + send_email(): the token, the template rendering, one real write (so the
    # commit flushes WAL like the known path's does) and the same count of round trips.
    token = new_token()
    digest(token)
    rehearse("reset_password", {"link": ctx.link("/reset", token), "minutes": 30})
    await ratelimit.hit(session, DECOY, "reset", ctx.clock.now())
    for _ in range(3):
        await session.execute(text("SELECT 1 FROM email_tokens WHERE false"))


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
