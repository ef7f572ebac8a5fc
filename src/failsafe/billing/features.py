"""Plan-gated features: :func:`require_feature` raises when the account's plan lacks one."""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.billing.plans import ACTIVE_STATUSES, FEATURES, Feature, Plan
from failsafe.billing.state import Subscription, get_subscription
from failsafe.errors import Forbidden


class FeatureNotInPlan(Forbidden):
    """The account's plan does not include this feature."""


class HasAccountId(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


def effective_plan(subscription: Subscription | None) -> Plan:
    """The plan whose features apply now (a lapsed subscription falls back to ``none``)."""
    if subscription is None or subscription.status not in ACTIVE_STATUSES:
        return Plan.NONE
    return subscription.plan


def has_feature(subscription: Subscription | None, feature: Feature | str) -> bool:
    return Feature(feature) in FEATURES[effective_plan(subscription)]


async def require_feature(
    session: AsyncSession, account: HasAccountId | uuid.UUID, feature: Feature | str
) -> None:
    """Raise :class:`FeatureNotInPlan` (403) unless ``account``'s plan includes ``feature``."""
    account_id = account if isinstance(account, uuid.UUID) else account.id
    subscription = await get_subscription(session, account_id)
    if not has_feature(subscription, feature):
        raise FeatureNotInPlan(f"your plan does not include {Feature(feature).value}")
