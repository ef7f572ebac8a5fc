"""The subscription state FailSafe keeps: one row per account, written by system actors."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.billing.plans import Plan


@dataclass(frozen=True)
class Subscription:
    account_id: uuid.UUID
    stripe_customer_id: str
    stripe_subscription_id: str | None
    plan: Plan
    status: str
    quantity: int
    current_period_end: dt.datetime | None


_SELECT = text(
    "SELECT account_id, stripe_customer_id, stripe_subscription_id, plan, status, quantity,"
    " current_period_end FROM billing_subscriptions WHERE account_id = :a"
)
_BY_CUSTOMER = text("SELECT account_id FROM billing_subscriptions WHERE stripe_customer_id = :c")
_UPSERT_CUSTOMER = text(
    "INSERT INTO billing_subscriptions (account_id, stripe_customer_id, updated_at)"
    " VALUES (:a, :c, now()) ON CONFLICT (account_id) DO UPDATE"
    " SET stripe_customer_id = EXCLUDED.stripe_customer_id, updated_at = now()"
)
# Stripe may deliver events out of order: an older event never overwrites a newer state.
_APPLY = text(
    "UPDATE billing_subscriptions SET stripe_subscription_id = :sub, plan = :plan,"
    " status = :status, quantity = :quantity, current_period_end = :period_end,"
    " last_event_created = :created, updated_at = now()"
    " WHERE account_id = :a AND last_event_created <= :created"
)


async def get_subscription(session: AsyncSession, account_id: uuid.UUID) -> Subscription | None:
    row = (await session.execute(_SELECT, {"a": account_id})).mappings().first()
    if row is None:
        return None
    return Subscription(**{**dict(row), "plan": Plan(row["plan"])})


async def account_for_customer(session: AsyncSession, customer_id: str) -> uuid.UUID | None:
    row = (await session.execute(_BY_CUSTOMER, {"c": customer_id})).first()
    return row[0] if row else None


async def remember_customer(session: AsyncSession, account_id: uuid.UUID, customer_id: str) -> None:
    await session.execute(_UPSERT_CUSTOMER, {"a": account_id, "c": customer_id})


async def apply_subscription(
    session: AsyncSession,
    account_id: uuid.UUID,
    *,
    subscription_id: str,
    plan: Plan,
    status: str,
    quantity: int,
    current_period_end: dt.datetime | None,
    event_created: int,
) -> bool:
    """Store the subscription as of an event; False when a newer event was already applied."""
    result = await session.execute(
        _APPLY,
        {
            "a": account_id,
            "sub": subscription_id,
            "plan": plan.value,
            "status": status[:40],
            "quantity": quantity,
            "period_end": current_period_end,
            "created": event_created,
        },
    )
    return bool(getattr(result, "rowcount", 0))
