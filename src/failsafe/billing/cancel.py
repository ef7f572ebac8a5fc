"""Cancel an account's Stripe subscription (on soft delete), idempotently."""

from __future__ import annotations

import asyncio
import uuid

import stripe
import structlog
from sqlalchemy import text

from failsafe.billing.client import stripe_client
from failsafe.billing.state import get_subscription
from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

ACTOR = SystemActor("billing.cancel")
_MARK = text(
    "UPDATE billing_subscriptions SET status = 'canceled', updated_at = now() WHERE account_id = :a"
)


async def cancel_account_subscription(
    database: Database, settings: Settings, account_id: uuid.UUID
) -> bool:
    """Cancel at Stripe and record it; True when there was something to cancel.

    Safe to repeat: an already-cancelled subscription is a no-op at Stripe (its 4xx is treated
    as done) and locally.
    """
    async with database.transaction(ACTOR) as session:
        subscription = await get_subscription(session, account_id)
    if subscription is None or subscription.stripe_subscription_id is None:
        return False
    if subscription.status == "canceled":
        return False

    client = stripe_client(settings)
    try:
        await asyncio.to_thread(
            client.v1.subscriptions.cancel,
            subscription.stripe_subscription_id,
            None,
            {"idempotency_key": f"cancel-{subscription.stripe_subscription_id}"},
        )
    except stripe.InvalidRequestError as exc:
        # Stripe answers 4xx for a subscription that is already cancelled or gone.
        log.info("billing.cancel_already_done", account_id=str(account_id), code=exc.code)

    async with database.transaction(ACTOR) as session:
        await session.execute(_MARK, {"a": account_id})
    log.info("billing.subscription_cancelled", account_id=str(account_id))
    return True
