"""The Stripe webhook route: signature verified with Stripe's own code, idempotent by event id.

Stripe signs each delivery with the endpoint secret (``Stripe-Signature``);
``stripe.Webhook.construct_event`` checks the HMAC and the timestamp tolerance. The event id
is claimed in the same transaction that applies the event, so a redelivery (Stripe retries on
any non-2xx or timeout) is acknowledged without being applied twice.
"""

from __future__ import annotations

from typing import Any

import stripe
import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from failsafe.billing.events import ACTOR, claim_event, handle_event
from failsafe.runtime import Runtime

log = structlog.get_logger(__name__)

router = APIRouter(tags=["billing"])

MAX_PAYLOAD_BYTES = 512 * 1024


@router.post("/billing/stripe/webhook", response_model=None, include_in_schema=False)
async def stripe_webhook(request: Request) -> JSONResponse:
    """Receive one Stripe event."""
    runtime: Runtime = request.app.state.runtime
    secret = runtime.settings.stripe_webhook_secret
    if secret is None:
        return JSONResponse({"error": "billing_not_configured"}, status_code=503)
    payload = await request.body()
    if len(payload) > MAX_PAYLOAD_BYTES:
        return JSONResponse({"error": "too_large"}, status_code=413)
    try:
        event = stripe.Webhook.construct_event(
            payload, request.headers.get("stripe-signature"), secret.get_secret_value()
        )
    except (ValueError, stripe.SignatureVerificationError):
        log.warning("billing.webhook_rejected")
        return JSONResponse({"error": "invalid_signature"}, status_code=400)

    data: dict[str, Any] = event.to_dict()
    async with runtime.database.transaction(ACTOR) as session:
        if not await claim_event(session, str(data["id"]), str(data["type"])):
            log.info("billing.webhook_duplicate", event_id=data["id"])
            return JSONResponse({"received": True, "duplicate": True})
        outcome = await handle_event(session, runtime.settings, data)
    log.info("billing.webhook_applied", event_id=data["id"], type=data["type"], outcome=outcome)
    return JSONResponse({"received": True, "outcome": outcome})
