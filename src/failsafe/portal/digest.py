"""The weekly digest opt-in of the signed-in user (the ``digest_subscriptions`` table).

Limitation: the operations package has the table but no service function yet; these two
statements move there when it offers one (``opt_in`` / ``opt_out``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import UserActor

_STATE = text("SELECT unsubscribed_at IS NULL FROM digest_subscriptions WHERE user_id = :user_id")
_OPT_IN = text(
    "INSERT INTO digest_subscriptions (user_id, account_id, opted_in_at)"
    " VALUES (:user_id, :account_id, :now)"
    " ON CONFLICT (user_id) DO UPDATE SET opted_in_at = :now, unsubscribed_at = NULL"
)
_OPT_OUT = text(
    "UPDATE digest_subscriptions SET unsubscribed_at = :now"
    " WHERE user_id = :user_id AND unsubscribed_at IS NULL"
)


async def is_subscribed(session: AsyncSession, actor: UserActor) -> bool:
    """Whether the actor currently receives the weekly digest."""
    return bool(await session.scalar(_STATE, {"user_id": actor.user_id}))


async def set_subscribed(
    session: AsyncSession, actor: UserActor, subscribed: bool, *, now: datetime
) -> None:
    """Opt the actor in or out (RLS: a user reaches only their own row)."""
    if subscribed:
        params = {"user_id": actor.user_id, "account_id": actor.account_id, "now": now}
        await session.execute(_OPT_IN, params)
    else:
        await session.execute(_OPT_OUT, {"user_id": actor.user_id, "now": now})
