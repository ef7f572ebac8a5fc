"""Apply rate limits in their own committed transaction, audit the trip, raise 429."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from failsafe.accounts import ratelimit
from failsafe.accounts.context import AuthContext
from failsafe.audit.service import record
from failsafe.db.actor import SystemActor
from failsafe.errors import TooManyRequests

log = structlog.get_logger(__name__)
LIMIT_ACTOR = SystemActor("auth.rate_limit")


async def enforce(
    ctx: AuthContext, checks: Sequence[tuple[ratelimit.Limit, str]], *, ip: str | None
) -> None:
    """Count one attempt in every bucket; 429 (with Retry-After) if any is over its limit.

    The counters commit even though the request then fails: that is what makes them limits.
    """
    now = ctx.clock.now()
    refused: list[ratelimit.Decision] = []
    async with ctx.db.transaction(LIMIT_ACTOR) as session:
        for limit, key in checks:
            decision = await ratelimit.hit(session, limit, key, now)
            if decision.allowed:
                continue
            refused.append(decision)
            if decision.just_tripped:
                await record(
                    session,
                    LIMIT_ACTOR,
                    "auth.rate_limited",
                    target_type="rate_limit",
                    target_id=limit.name,
                    ip=ip,
                    details={"limit": limit.name, "max": limit.max_hits},
                )
                log.warning("auth.rate_limited", limit=limit.name)
    if refused:
        retry_after = max(decision.retry_after for decision in refused)
        raise TooManyRequests("too many attempts; try again later", retry_after=retry_after)


async def clear(ctx: AuthContext, limit: ratelimit.Limit, key: str) -> None:
    async with ctx.db.transaction(LIMIT_ACTOR) as session:
        await ratelimit.clear(session, limit, key)
