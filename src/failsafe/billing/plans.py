"""Plans and the features each one unlocks."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from failsafe.settings import Settings


class Plan(enum.StrEnum):
    NONE = "none"
    DIRECT_MONTHLY = "direct_monthly"
    DIRECT_ANNUAL = "direct_annual"
    # Partners pay per managed client: the subscription quantity is their client count.
    PARTNER_MONTHLY = "partner_monthly"


class Feature(enum.StrEnum):
    SCAN = "scan"
    SCHEDULED_SCANS = "scheduled_scans"
    PDF_REPORT = "pdf_report"
    WEEKLY_DIGEST = "weekly_digest"
    MANAGED_CLIENTS = "managed_clients"
    API_TOKENS = "api_tokens"


_DIRECT = frozenset(
    {
        Feature.SCAN,
        Feature.SCHEDULED_SCANS,
        Feature.PDF_REPORT,
        Feature.WEEKLY_DIGEST,
        Feature.API_TOKENS,
    }
)

FEATURES: dict[Plan, frozenset[Feature]] = {
    Plan.NONE: frozenset({Feature.SCAN}),
    Plan.DIRECT_MONTHLY: _DIRECT,
    Plan.DIRECT_ANNUAL: _DIRECT,
    Plan.PARTNER_MONTHLY: _DIRECT | {Feature.MANAGED_CLIENTS},
}

# Stripe statuses in which the plan's features are available. past_due keeps access while
# Stripe retries the card (its dunning emails go out meanwhile).
ACTIVE_STATUSES = frozenset({"active", "trialing", "past_due"})


@dataclass(frozen=True)
class PlanPrice:
    plan: Plan
    price_id: str
    per_client: bool


def prices(settings: Settings) -> dict[Plan, PlanPrice]:
    """The Stripe price of each paid plan (ids are settings, created in the Stripe dashboard)."""
    return {
        Plan.DIRECT_MONTHLY: PlanPrice(
            Plan.DIRECT_MONTHLY, settings.stripe_price_direct_monthly, False
        ),
        Plan.DIRECT_ANNUAL: PlanPrice(
            Plan.DIRECT_ANNUAL, settings.stripe_price_direct_annual, False
        ),
        Plan.PARTNER_MONTHLY: PlanPrice(
            Plan.PARTNER_MONTHLY, settings.stripe_price_partner_monthly, True
        ),
    }


def plan_of_price(settings: Settings, price_id: str | None) -> Plan:
    """The plan a Stripe price id stands for (``none`` for an unknown price)."""
    for plan, price in prices(settings).items():
        if price.price_id == price_id:
            return plan
    return Plan.NONE
