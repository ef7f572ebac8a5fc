"""The detection step of a scan, called inside the persistence transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.catalog.loader import priced_catalogs
from failsafe.detections.context import AllowList
from failsafe.detections.engine import evaluate
from failsafe.detections.store.persist import persist_findings
from failsafe.engagements.settings import get_settings
from failsafe.enrichment.models import Classification
from failsafe.inventory.model import Inventory


async def run_detection(
    session: AsyncSession,
    scan_id: uuid.UUID,
    engagement_id: uuid.UUID,
    inventory: Inventory,
    vendor_labels: Mapping[str, Classification] | None = None,
) -> int:
    """Evaluate every rule on ``inventory`` and store the findings; returns how many were stored.

    Runs in the same transaction as the inventory, so a scan's findings become visible with it
    and a retried scan replaces what an earlier attempt wrote. ``vendor_labels`` come from the
    enrich step, which ran before this transaction opened (it may wait on the network). The
    engagement's sanctioned vendors and negotiated licence prices apply.
    """
    settings = await get_settings(session, engagement_id)
    outcomes = evaluate(
        inventory,
        catalogs=priced_catalogs(settings.sku_prices),
        allow_list=AllowList.of(settings.sanctioned),
        vendor_labels=vendor_labels,
    )
    result = await persist_findings(session, scan_id, outcomes)
    return result.written
