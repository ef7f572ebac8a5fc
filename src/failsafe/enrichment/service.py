"""Classify vendors the catalog lacks: cache first, then one model request per vendor."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.catalog.loader import load_catalogs
from failsafe.enrichment import cache
from failsafe.enrichment.client import classify_one, make_client
from failsafe.enrichment.models import Classification, VendorQuery, unclassified
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

MAX_CONCURRENCY = 4


async def enrich_vendors(
    settings: Settings,
    queries: Sequence[VendorQuery],
    *,
    session: AsyncSession | None = None,
) -> dict[str, Classification]:
    """A label for every query, keyed by domain.

    Catalog vendors are never sent. Without an API key every unknown vendor is labelled
    ``unclassified`` by the heuristic. With a ``session``, answers are read from and written to
    the cache (the caller's transaction commits).
    """
    vendors = load_catalogs().vendors
    unique = {q.key: q for q in queries if vendors.by_domain(q.domain) is None}
    labels: dict[str, Classification] = {}
    if session is not None and unique:
        labels.update(await cache.cached(session, unique))
    pending = [q for key, q in unique.items() if key not in labels]

    client = make_client(settings)
    if client is None:
        labels.update({q.key: unclassified() for q in pending})
        return labels

    categories = [c for c in vendors.categories if c != "other"] + ["other"]
    semaphore = asyncio.Semaphore(MAX_CONCURRENCY)

    async def one(query: VendorQuery) -> tuple[VendorQuery, Classification | None]:
        async with semaphore:
            return query, await classify_one(client, settings.anthropic_model, query, categories)

    try:
        results = await asyncio.gather(*(one(q) for q in pending))
    finally:
        await client.close()
    for query, label in results:
        if label is None:
            labels[query.key] = unclassified()
            continue
        labels[query.key] = label
        if session is not None:
            await cache.store(session, query, label)
    log.info("enrichment.done", asked=len(pending), cached=len(unique) - len(pending))
    return labels
