"""Apply verified Stripe events to the stored subscription state."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.audit.service import record
from failsafe.billing.plans import Plan, plan_of_price
from failsafe.billing.state import account_for_customer, apply_subscription, remember_customer
from failsafe.db.actor import SystemActor
from failsafe.notifications.outbox import enqueue_email
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

ACTOR = SystemActor("billing.webhook")

_CLAIM = text(
    "INSERT INTO stripe_events (id, type, received_at) VALUES (:id, :type, now())"
    " ON CONFLICT (id) DO NOTHING RETURNING id"
)
_BILLING_CONTACTS = text(
    "SELECT email FROM users WHERE account_id = :a AND status = 'active' ORDER BY created_at"
    " LIMIT 5"
)


async def claim_event(session: AsyncSession, event_id: str, event_type: str) -> bool:
    """Record the event id; False when it was already processed (Stripe retries deliveries)."""
    row = (await session.execute(_CLAIM, {"id": event_id, "type": event_type[:100]})).first()
    return row is not None


def _account_from_metadata(obj: dict[str, Any]) -> uuid.UUID | None:
    raw = (obj.get("metadata") or {}).get("account_id") or obj.get("client_reference_id")
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def _period_end(obj: dict[str, Any]) -> dt.datetime | None:
    # Newer API versions moved current_period_end from the subscription onto its items.
    end = obj.get("current_period_end")
    items = (obj.get("items") or {}).get("data") or []
    if end is None and items:
        end = items[0].get("current_period_end")
    return dt.datetime.fromtimestamp(int(end), dt.UTC) if end else None


async def handle_event(session: AsyncSession, settings: Settings, event: dict[str, Any]) -> str:
    """Apply one event; returns what was done (for the log)."""
    kind = str(event["type"])
    obj: dict[str, Any] = event["data"]["object"]
    if kind == "checkout.session.completed":
        account_id = _account_from_metadata(obj)
        if account_id is not None and obj.get("customer"):
            await remember_customer(session, account_id, str(obj["customer"]))
            return "customer_linked"
        return "ignored"
    if kind.startswith("customer.subscription."):
        return await _subscription_changed(session, settings, event, obj)
    if kind == "invoice.payment_failed":
        return await _payment_failed(session, settings, obj)
    return "ignored"


async def _subscription_changed(
    session: AsyncSession, settings: Settings, event: dict[str, Any], obj: dict[str, Any]
) -> str:
    account_id = await account_for_customer(session, str(obj.get("customer")))
    account_id = account_id or _account_from_metadata(obj)
    if account_id is None:
        log.warning("billing.unknown_customer", event_id=event["id"])
        return "unknown_customer"
    items = (obj.get("items") or {}).get("data") or []
    price_id = items[0]["price"]["id"] if items else None
    quantity = int(items[0].get("quantity") or 1) if items else 1
    status = "canceled" if event["type"] == "customer.subscription.deleted" else obj["status"]
    plan = plan_of_price(settings, price_id)
    applied = await apply_subscription(
        session,
        account_id,
        subscription_id=str(obj["id"]),
        plan=plan if status != "canceled" else plan or Plan.NONE,
        status=str(status),
        quantity=quantity,
        current_period_end=_period_end(obj),
        event_created=int(event.get("created") or 0),
    )
    if not applied:
        return "stale"
    await record(
        session,
        ACTOR,
        "billing.subscription_changed",
        account_id=account_id,
        target_type="subscription",
        target_id=str(obj["id"]),
        details={"plan": plan.value, "status": status, "quantity": quantity},
    )
    return "subscription_updated"


async def _payment_failed(session: AsyncSession, settings: Settings, obj: dict[str, Any]) -> str:
    account_id = await account_for_customer(session, str(obj.get("customer")))
    if account_id is None:
        return "unknown_customer"
    link = settings.public_base_url.rstrip("/") + "/billing"
    for (email,) in await session.execute(_BILLING_CONTACTS, {"a": account_id}):
        await enqueue_email(
            session,
            to=email,
            template="billing_notice",
            context={
                "headline": "A payment did not go through",
                "detail": "Stripe will retry the card. Update your payment method to keep "
                "your plan's features.",
                "link": link,
            },
            account_id=account_id,
        )
    return "notice_queued"
