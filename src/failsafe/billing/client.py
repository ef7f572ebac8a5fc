"""The Stripe SDK client, built per use from the settings (never at import time)."""

from __future__ import annotations

import stripe

from failsafe.settings import Settings


class BillingNotConfigured(RuntimeError):
    """FAILSAFE_STRIPE_SECRET_KEY is not set."""


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
