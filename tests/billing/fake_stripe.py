"""A local fake of the few Stripe API endpoints FailSafe calls (form-encoded in, JSON out)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class FakeStripe:
    key: str = "sk_test_fake"
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    idempotency_keys: list[str] = field(default_factory=list)

    def add_subscription(self, customer: str, price: str, quantity: int = 1) -> str:
        sub_id = f"sub_{uuid.uuid4().hex[:12]}"
        self.subscriptions[sub_id] = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": "active",
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_{uuid.uuid4().hex[:8]}",
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "quantity": quantity,
                        "current_period_end": int(time.time()) + 30 * 86400,
                    }
                ],
            },
        }
        return sub_id


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"type": "invalid_request_error", "message": message, "code": "missing"}},
        status_code=status,
    )


def stripe_app(fake: FakeStripe) -> Starlette:
    async def authorised(request: Request) -> dict[str, Any] | None:
        if request.headers.get("authorization") != f"Bearer {fake.key}":
            return None
        form = dict((await request.form()).multi_items())
        fake.requests.append((request.method, request.url.path, form))
        if key := request.headers.get("idempotency-key"):
            fake.idempotency_keys.append(key)
        return form

    async def customers(request: Request) -> Response:
        form = await authorised(request)
        if form is None:
            return _error(401, "bad key")
        customer_id = f"cus_{uuid.uuid4().hex[:12]}"
        fake.customers[customer_id] = {"id": customer_id, "object": "customer", **form}
        return JSONResponse({"id": customer_id, "object": "customer", "email": form.get("email")})

    async def checkout(request: Request) -> Response:
        form = await authorised(request)
        if form is None:
            return _error(401, "bad key")
        session_id = f"cs_{uuid.uuid4().hex[:12]}"
        return JSONResponse(
            {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/{session_id}",
                "customer": form.get("customer"),
                "mode": form.get("mode"),
            }
        )

    async def portal(request: Request) -> Response:
        form = await authorised(request)
        if form is None:
            return _error(401, "bad key")
        return JSONResponse(
            {
                "id": "bps_1",
                "object": "billing_portal.session",
                "url": "https://billing.stripe.test/p/session",
                "customer": form.get("customer"),
            }
        )

    async def subscription(request: Request) -> Response:
        form = await authorised(request)
        if form is None:
            return _error(401, "bad key")
        sub = fake.subscriptions.get(request.path_params["sub_id"])
        if sub is None:
            return _error(404, "No such subscription")
        if request.method == "DELETE":
            if sub["status"] == "canceled":
                return _error(400, "already canceled")
            sub["status"] = "canceled"
        elif request.method == "POST" and "items[0][quantity]" in form:
            sub["items"]["data"][0]["quantity"] = int(form["items[0][quantity]"])
        return JSONResponse(sub)

    return Starlette(
        routes=[
            Route("/v1/customers", customers, methods=["POST"]),
            Route("/v1/checkout/sessions", checkout, methods=["POST"]),
            Route("/v1/billing_portal/sessions", portal, methods=["POST"]),
            Route("/v1/subscriptions/{sub_id}", subscription, methods=["GET", "POST", "DELETE"]),
        ]
    )
