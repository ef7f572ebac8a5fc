"""Billing against a local fake of the Stripe API, and the signed webhook."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import stripe

from failsafe.billing.cancel import cancel_account_subscription
from failsafe.billing.checkout import portal_link, set_managed_clients, start_checkout
from failsafe.billing.features import FeatureNotInPlan, require_feature
from failsafe.billing.plans import Feature, Plan
from failsafe.billing.state import get_subscription
from failsafe.db.actor import SystemActor
from failsafe.db.urls import DatabaseTarget
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import KeyRing, generate_key
from failsafe.settings import Settings
from failsafe.web.app import create_app
from tests.billing.fake_stripe import FakeStripe, stripe_app
from tests.operations.servers import serve

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def fake_stripe() -> Iterator[tuple[FakeStripe, str]]:
    fake = FakeStripe()
    with serve(stripe_app(fake)) as url:
        yield fake, url


@pytest.fixture
async def billing_runtime(
    fresh_target: DatabaseTarget, tmp_path: Path, fake_stripe: tuple[FakeStripe, str]
) -> AsyncIterator[Runtime]:
    fake, url = fake_stripe
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        secret_keys=f"t1:{generate_key()}",  # type: ignore[arg-type]
        stripe_api_base=url,
        stripe_secret_key=fake.key,  # type: ignore[arg-type]
        stripe_webhook_secret=WEBHOOK_SECRET,  # type: ignore[arg-type]
    )
    assert settings.secret_keys is not None
    runtime = Runtime(
        settings=settings,
        target=fresh_target,
        keyring=KeyRing.parse(settings.secret_keys.get_secret_value()),
    )
    yield runtime
    await runtime.database.dispose()


def make_account(conn: psycopg.Connection, kind: str = "customer") -> uuid.UUID:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        row = conn.execute(
            "INSERT INTO accounts (kind, name) VALUES (%s, 'Acme') RETURNING id", (kind,)
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO users (account_id, email, role, email_verified_at)"
            " VALUES (%s, %s, 'client', now())",
            (row[0], f"billing-{row[0].hex[:6]}@example.test"),
        )
    return uuid.UUID(str(row[0]))


def signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    payload = json.dumps(event)
    return payload.encode(), stripe.WebhookSignature.generate_signature_header(payload, secret)


def subscription_event(
    event_id: str,
    customer: str,
    price: str,
    *,
    status: str = "active",
    kind: str = "updated",
    created: int | None = None,
    quantity: int = 1,
) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": f"customer.subscription.{kind}",
        "created": created or int(time.time()),
        "data": {
            "object": {
                "id": "sub_123",
                "object": "subscription",
                "customer": customer,
                "status": status,
                "items": {
                    "data": [
                        {
                            "price": {"id": price},
                            "quantity": quantity,
                            "current_period_end": int(time.time()) + 86400,
                        }
                    ]
                },
            }
        },
    }


async def post(runtime: Runtime, body: bytes, signature: str) -> httpx.Response:
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://portal.test") as client:
        return await client.post(
            "/billing/stripe/webhook",
            content=body,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )


async def test_checkout_and_portal_go_through_the_sdk(
    billing_runtime: Runtime, superuser: psycopg.Connection, fake_stripe: tuple[FakeStripe, str]
) -> None:
    fake, _ = fake_stripe
    account = make_account(superuser, "partner")
    settings = billing_runtime.settings
    async with billing_runtime.database.transaction(SystemActor("test")) as session:
        url = await start_checkout(
            session,
            settings,
            account,
            Plan.PARTNER_MONTHLY,
            email="p@example.test",
            name="Partner",
            managed_clients=7,
        )
        assert url.startswith("https://checkout.stripe.test/")
        # A second checkout reuses the customer.
        await start_checkout(
            session, settings, account, Plan.DIRECT_ANNUAL, email="p@example.test", name="P"
        )
        assert (await portal_link(session, settings, account)).startswith("https://billing.")
    assert len(fake.customers) == 1
    checkout = [form for method, path, form in fake.requests if path == "/v1/checkout/sessions"]
    assert checkout[0]["line_items[0][quantity]"] == "7"
    assert checkout[0]["line_items[0][price]"] == settings.stripe_price_partner_monthly
    assert checkout[1]["line_items[0][quantity]"] == "1"
    assert not any("card" in key for _, _, form in fake.requests for key in form)


async def test_webhook_verifies_applies_once_and_gates_features(
    billing_runtime: Runtime, superuser: psycopg.Connection
) -> None:
    account = make_account(superuser)
    settings = billing_runtime.settings
    superuser.execute(
        "INSERT INTO billing_subscriptions (account_id, stripe_customer_id, updated_at)"
        " VALUES (%s, 'cus_A', now())",
        (account,),
    )
    async with billing_runtime.database.transaction(SystemActor("test")) as session:
        with pytest.raises(FeatureNotInPlan):
            await require_feature(session, account, Feature.SCHEDULED_SCANS)

    body, signature = signed(
        subscription_event("evt_1", "cus_A", settings.stripe_price_direct_annual)
    )
    assert (await post(billing_runtime, body, "t=1,v1=forged")).status_code == 400
    tampered = body.replace(b"active", b"trialing")
    assert (await post(billing_runtime, tampered, signature)).status_code == 400

    first = await post(billing_runtime, body, signature)
    assert first.status_code == 200 and first.json()["outcome"] == "subscription_updated"
    again = await post(billing_runtime, body, signature)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    audits = superuser.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'billing.subscription_changed'"
    ).fetchone()
    assert audits == (1,)

    async with billing_runtime.database.transaction(SystemActor("test")) as session:
        subscription = await get_subscription(session, account)
        assert subscription is not None and subscription.plan is Plan.DIRECT_ANNUAL
        assert subscription.status == "active" and subscription.current_period_end is not None
        await require_feature(session, account, Feature.SCHEDULED_SCANS)
        with pytest.raises(FeatureNotInPlan):
            await require_feature(session, account, Feature.MANAGED_CLIENTS)

    # An older event delivered late does not overwrite the newer state.
    stale = subscription_event(
        "evt_0",
        "cus_A",
        settings.stripe_price_direct_annual,
        status="incomplete",
        created=1_000,
    )
    assert (await post(billing_runtime, *signed(stale))).json()["outcome"] == "stale"

    cancelled = subscription_event(
        "evt_2",
        "cus_A",
        settings.stripe_price_direct_annual,
        kind="deleted",
        status="canceled",
        created=int(time.time()) + 5,
    )
    assert (await post(billing_runtime, *signed(cancelled))).status_code == 200
    async with billing_runtime.database.transaction(SystemActor("test")) as session:
        with pytest.raises(FeatureNotInPlan):
            await require_feature(session, account, Feature.PDF_REPORT)


async def test_cancel_on_soft_delete_is_idempotent(
    billing_runtime: Runtime, superuser: psycopg.Connection, fake_stripe: tuple[FakeStripe, str]
) -> None:
    fake, _ = fake_stripe
    account = make_account(superuser)
    sub_id = fake.add_subscription("cus_B", billing_runtime.settings.stripe_price_direct_monthly)
    superuser.execute(
        "INSERT INTO billing_subscriptions (account_id, stripe_customer_id,"
        " stripe_subscription_id, plan, status, updated_at)"
        " VALUES (%s, 'cus_B', %s, 'direct_monthly', 'active', now())",
        (account, sub_id),
    )
    db, settings = billing_runtime.database, billing_runtime.settings
    assert await cancel_account_subscription(db, settings, account) is True
    assert fake.subscriptions[sub_id]["status"] == "canceled"
    assert await cancel_account_subscription(db, settings, account) is False
    # Even if our row still said active (crash after Stripe answered), a repeat is harmless.
    superuser.execute("UPDATE billing_subscriptions SET status = 'active'")
    assert await cancel_account_subscription(db, settings, account) is True
    assert fake.idempotency_keys.count(f"cancel-{sub_id}") == 2


async def test_partner_quantity_follows_managed_clients(
    billing_runtime: Runtime, superuser: psycopg.Connection, fake_stripe: tuple[FakeStripe, str]
) -> None:
    fake, _ = fake_stripe
    account = make_account(superuser, "partner")
    price = billing_runtime.settings.stripe_price_partner_monthly
    sub_id = fake.add_subscription("cus_P", price, quantity=3)
    superuser.execute(
        "INSERT INTO billing_subscriptions (account_id, stripe_customer_id,"
        " stripe_subscription_id, plan, status, quantity, updated_at)"
        " VALUES (%s, 'cus_P', %s, 'partner_monthly', 'active', 3, now())",
        (account, sub_id),
    )
    async with billing_runtime.database.transaction(SystemActor("test")) as session:
        await set_managed_clients(session, billing_runtime.settings, account, 5)
    assert fake.subscriptions[sub_id]["items"]["data"][0]["quantity"] == 5


async def test_billing_routes_for_the_signed_in_account(
    billing_runtime: Runtime, superuser: psycopg.Connection, fake_stripe: tuple[FakeStripe, str]
) -> None:
    from tests.accounts.flows import give_world_passwords, sign_in
    from tests.world import build_world

    fake, _ = fake_stripe
    world = build_world(superuser)
    give_world_passwords(superuser, world)
    transport = httpx.ASGITransport(app=create_app(billing_runtime), client=("203.0.113.7", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        signed = await sign_in(http, "direct_c.user@example.test")
        view = (await http.get("/api/v1/billing")).json()
        assert view["plan"] == "none" and view["features"] == ["scan"]

        refused = await http.post(
            "/api/v1/billing/checkout", json={"plan": "partner_monthly"}, headers=signed.headers()
        )
        assert refused.status_code == 422
        no_csrf = await http.post("/api/v1/billing/checkout", json={"plan": "direct_monthly"})
        assert no_csrf.status_code == 403
        started = await http.post(
            "/api/v1/billing/checkout", json={"plan": "direct_monthly"}, headers=signed.headers()
        )
        assert started.status_code == 200, started.text
        assert started.json()["url"].startswith("https://checkout.stripe.test/")
        portal = await http.post("/api/v1/billing/portal", headers=signed.headers())
        assert portal.status_code == 200 and portal.json()["url"].startswith("https://billing.")
    customer = next(iter(fake.customers.values()))
    assert customer["metadata[account_id]"] == str(world.accounts["direct_c"])
    assert superuser.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'billing.checkout_started'"
    ).fetchone() == (1,)
