"""The enrich step of a scan: label the vendors the catalog lacks, before anything is persisted.

It runs after collection and before the persistence transaction, because the model can take
seconds per vendor and no database transaction may stay open that long; the cache is read and
written in short transactions of its own. The labels then reach the rules through
``run_detection`` (and stay in ``vendor_enrichment`` for later scans).

Only vendor domains and verified publisher names leave (see
:func:`failsafe.detections.vendors.unknown_vendors`). Enrichment never fails a scan: any error
leaves the vendors unclassified and is logged as ``enrichment.failed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import structlog
from pydantic import ValidationError

from failsafe.catalog.loader import load_catalogs
from failsafe.db.actor import Actor
from failsafe.detections.context import AllowList, Context, Thresholds
from failsafe.detections.vendors import unknown_vendors
from failsafe.enrichment.cache import VendorCache
from failsafe.enrichment.models import Classification, VendorQuery
from failsafe.enrichment.service import enrich_vendors, enrichment_enabled
from failsafe.inventory.model import Inventory
from failsafe.runtime import Runtime

log = structlog.get_logger(__name__)


def vendor_queries(inventory: Inventory) -> list[VendorQuery]:
    """What may be asked about the inventory's uncatalogued vendors, most users first."""
    # The engagement's allow-list does not matter here: a label is public knowledge about the
    # vendor, cached for every tenant, whether or not this tenant sanctioned it.
    ctx = Context(inventory, load_catalogs(), Thresholds(), AllowList())
    queries = []
    for domain, name in unknown_vendors(ctx):
        try:
            queries.append(VendorQuery(name=name[:200], domain=domain))
        except ValidationError:
            continue  # not a plain domain (an IP literal, say): nothing to classify
    return queries


async def enrich_inventory(
    runtime: Runtime, inventory: Inventory, *, actor: Actor, log_fields: Mapping[str, str]
) -> dict[str, Classification]:
    """Labels of the inventory's uncatalogued vendors by domain; empty when enrichment is off
    or failed (the rules then treat those vendors as unclassified)."""
    if not enrichment_enabled(runtime.settings):
        return {}
    try:
        queries = vendor_queries(inventory)
        if not queries:
            return {}
        max_age = timedelta(days=runtime.settings.enrichment_max_age_days)
        cache = VendorCache(runtime.database, actor, max_age=max_age)
        return await enrich_vendors(runtime.settings, queries, cache=cache, log_fields=log_fields)
    except Exception as exc:  # enrichment is an extra: a scan never fails because of it
        log.warning("enrichment.failed", error=type(exc).__name__, **log_fields)
        return {}
