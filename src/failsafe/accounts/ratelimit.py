"""Fixed-window rate limits kept in PostgreSQL, so every process shares the same counters.

One row per bucket; :func:`hit` is one atomic upsert that opens a new window when the old one
has passed and otherwise adds one, then reports whether the caller is over the limit. Buckets
name a limit and a hash of the key (email or IP), never the key itself.

Limitation: fixed windows let a burst straddling a window edge reach twice the limit; a sliding
window (the previous bucket weighted by the overlap) would close that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.crypto import bucket_key


@dataclass(frozen=True)
class Limit:
    """At most ``max_hits`` per ``window`` for one key."""

    name: str
    max_hits: int
    window: timedelta


MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)

# Per account: the 6th bad password in 15 minutes is refused (cleared by a good sign-in).
SIGNIN_ACCOUNT = Limit("signin.account", 5, 15 * MINUTE)
# Per IP, across accounts: slows credential stuffing without locking out a shared office.
SIGNIN_IP = Limit("signin.ip", 30, 15 * MINUTE)
MFA_USER = Limit("mfa.user", 5, 15 * MINUTE)
MFA_IP = Limit("mfa.ip", 30, 15 * MINUTE)
SIGNUP_IP = Limit("signup.ip", 10, HOUR)
VERIFY_ACCOUNT = Limit("verify.account", 5, HOUR)
VERIFY_IP = Limit("verify.ip", 30, HOUR)
RESET_ACCOUNT = Limit("reset.account", 5, HOUR)
RESET_IP = Limit("reset.ip", 30, HOUR)

_HIT = text(
    """
    INSERT INTO rate_limits AS r (bucket, window_start, hits) VALUES (:bucket, :now, 1)
    ON CONFLICT (bucket) DO UPDATE SET
        hits = CASE WHEN r.window_start <= :expired THEN 1 ELSE r.hits + 1 END,
        window_start = CASE WHEN r.window_start <= :expired THEN :now ELSE r.window_start END
    RETURNING hits, window_start
    """
)


@dataclass(frozen=True)
class Decision:
    """The outcome of one hit: allowed or not, and when to come back."""

    limit: Limit
    hits: int
    retry_after: int

    @property
    def allowed(self) -> bool:
        return self.hits <= self.limit.max_hits

    @property
    def just_tripped(self) -> bool:
        """The first refused hit of the window: the one worth an audit row."""
        return self.hits == self.limit.max_hits + 1


def bucket(limit: Limit, key: str) -> str:
    return f"{limit.name}:{bucket_key(key)}"


async def hit(session: AsyncSession, limit: Limit, key: str, now: datetime) -> Decision:
    """Count one attempt for ``key`` under ``limit`` (a system-actor session)."""
    row = (
        await session.execute(
            _HIT, {"bucket": bucket(limit, key), "now": now, "expired": now - limit.window}
        )
    ).one()
    hits, window_start = int(row[0]), row[1]
    remaining = (window_start + limit.window - now).total_seconds()
    return Decision(limit=limit, hits=hits, retry_after=max(1, math.ceil(remaining)))


async def clear(session: AsyncSession, limit: Limit, key: str) -> None:
    """Forget the attempts for ``key`` (after a successful sign-in)."""
    await session.execute(
        text("DELETE FROM rate_limits WHERE bucket = :bucket"), {"bucket": bucket(limit, key)}
    )
