"""The Stripe SDK client, built per use from the settings (never at import time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import stripe

from failsafe.errors import FailSafeError
from failsafe.settings import Settings

T = TypeVar("T")


class BillingNotConfigured(FailSafeError):
    """FAILSAFE_STRIPE_SECRET_KEY is not set."""

    status = 503
    code = "billing_not_configured"


class BillingUnavailable(FailSafeError):
    """Stripe could not be reached or refused the request; nothing was charged."""

    status = 502
    code = "billing_unavailable"


def call_stripe(func: Callable[..., T], *args: Any) -> T:
    """Call the SDK, turning its errors into :class:`BillingUnavailable` (for ``to_thread``)."""
    try:
        return func(*args)
    except stripe.StripeError as exc:
        raise BillingUnavailable(f"Stripe error: {type(exc).__name__}") from exc


def stripe_client(settings: Settings) -> stripe.StripeClient:
    """A StripeClient pointed at ``settings.stripe_api_base`` (loopback in tests)."""
    if settings.stripe_secret_key is None:
        raise BillingNotConfigured("FAILSAFE_STRIPE_SECRET_KEY is not set")
    base = settings.stripe_api_base.rstrip("/")
    return stripe.StripeClient(
        settings.stripe_secret_key.get_secret_value(),
        base_addresses={"api": base},
        max_network_retries=2,
    )
