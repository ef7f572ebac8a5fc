"""Checkout and the customer portal: FailSafe creates a Stripe session and redirects to it.

Card details are entered on Stripe's pages only. The Stripe customer is created once per
account and remembered; the subscription itself is recorded by the webhook, not here, because
only Stripe knows when payment succeeded.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.billing.client import call_stripe, stripe_client
from failsafe.billing.plans import Plan, prices
from failsafe.billing.state import get_subscription, remember_customer
from failsafe.errors import ValidationFailed
from failsafe.settings import Settings

log = structlog.get_logger(__name__)


async def ensure_customer(
    session: AsyncSession, settings: Settings, account_id: uuid.UUID, *, email: str, name: str
) -> str:
    """The Stripe customer id of ``account_id``, created on first use."""
    existing = await get_subscription(session, account_id)
    if existing is not None:
        return existing.stripe_customer_id
    client = stripe_client(settings)
    customer = await asyncio.to_thread(
        call_stripe,
        client.v1.customers.create,
        {"email": email, "name": name, "metadata": {"account_id": str(account_id)}},
        {"idempotency_key": f"customer-{account_id}"},
    )
    await remember_customer(session, account_id, customer.id)
    log.info("billing.customer_created", account_id=str(account_id))
    return customer.id


async def start_checkout(
    session: AsyncSession,
    settings: Settings,
    account_id: uuid.UUID,
    plan: Plan,
    *,
    email: str,
    name: str,
    managed_clients: int = 1,
) -> str:
    """A Checkout session URL for ``plan``; partners pay per managed client."""
    price = prices(settings).get(plan)
    if price is None:
        raise ValidationFailed("choose a paid plan")
    quantity = max(managed_clients, 1) if price.per_client else 1
    customer_id = await ensure_customer(session, settings, account_id, email=email, name=name)
    base = settings.public_base_url.rstrip("/")
    client = stripe_client(settings)
    checkout = await asyncio.to_thread(
        call_stripe,
        client.v1.checkout.sessions.create,
        {
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": str(account_id),
            "line_items": [{"price": price.price_id, "quantity": quantity}],
            "subscription_data": {"metadata": {"account_id": str(account_id), "plan": plan}},
            "success_url": f"{base}/billing/done?session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{base}/billing",
        },
    )
    log.info("billing.checkout_started", account_id=str(account_id), plan=plan.value)
    return str(checkout.url)


async def portal_link(session: AsyncSession, settings: Settings, account_id: uuid.UUID) -> str:
    """A Stripe billing portal URL for the account (it must have a customer already)."""
    subscription = await get_subscription(session, account_id)
    if subscription is None:
        raise ValidationFailed("this account has no billing profile yet")
    client = stripe_client(settings)
    portal = await asyncio.to_thread(
        call_stripe,
        client.v1.billing_portal.sessions.create,
        {
            "customer": subscription.stripe_customer_id,
            "return_url": settings.public_base_url.rstrip("/") + "/billing",
        },
    )
    return str(portal.url)


async def set_managed_clients(
    session: AsyncSession, settings: Settings, account_id: uuid.UUID, managed_clients: int
) -> None:
    """Keep a partner's per-client quantity in step with its managed clients."""
    subscription = await get_subscription(session, account_id)
    if subscription is None or subscription.stripe_subscription_id is None:
        return
    if subscription.plan is not Plan.PARTNER_MONTHLY:
        return
    client = stripe_client(settings)
    current = await asyncio.to_thread(
        call_stripe, client.v1.subscriptions.retrieve, subscription.stripe_subscription_id
    )
    item = current["items"]["data"][0]
    await asyncio.to_thread(
        call_stripe,
        client.v1.subscriptions.update,
        subscription.stripe_subscription_id,
        {"items": [{"id": item["id"], "quantity": max(managed_clients, 1)}]},
    )
