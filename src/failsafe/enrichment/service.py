"""Classify vendors the catalog lacks: cache first, then one model request per vendor.

Enrichment never decides a scan's fate. A request that fails (timeout, connection, API error)
or an answer that is refused leaves its vendor ``unclassified``, and the whole batch is bounded
by ``anthropic_budget_seconds`` and ``anthropic_max_requests``: what is not answered in time is
unclassified now and asked again by a later scan.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence

import anthropic
import structlog

from failsafe.catalog.loader import load_catalogs
from failsafe.enrichment.cache import VendorCache
from failsafe.enrichment.client import classify_one, make_client
from failsafe.enrichment.models import Classification, VendorQuery, unclassified
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

MAX_CONCURRENCY = 4


def enrichment_enabled(settings: Settings) -> bool:
    """Enrichment is off unless an Anthropic API key is configured."""
    return settings.anthropic_api_key is not None


async def enrich_vendors(
    settings: Settings,
    queries: Sequence[VendorQuery],
    *,
    cache: VendorCache | None = None,
    log_fields: Mapping[str, str] | None = None,
) -> dict[str, Classification]:
    """A label for every query the catalog lacks, keyed by domain.

    Catalog vendors are never sent. Without an API key every unknown vendor is labelled
    ``unclassified`` by the heuristic. With a ``cache``, labels are read from it first and new
    AI answers are written to it, each in its own short transaction.
    """
    fields = dict(log_fields or {})
    vendors = load_catalogs().vendors
    unique = {q.key: q for q in queries if vendors.by_domain(q.domain) is None}
    labels: dict[str, Classification] = {}
    if cache is not None and unique:
        labels.update(await cache.get(unique))
    pending = [q for key, q in unique.items() if key not in labels]

    asked = pending[: settings.anthropic_max_requests]
    client = make_client(settings) if asked else None
    if client is None:
        labels.update({q.key: unclassified() for q in pending})
        return labels

    categories = [c for c in vendors.categories if c != "other"] + ["other"]
    try:
        answers, errors = await _ask(client, settings, asked, categories)
    finally:
        await client.close()
    if cache is not None:
        await cache.put(answers)

    for query in pending:
        labels[query.key] = answers.get(query, unclassified())
    if errors:
        log.warning("enrichment.failed", failed=sum(errors.values()), errors=errors, **fields)
    log.info(
        "enrichment.done",
        cached=len(unique) - len(pending),
        asked=len(asked),
        answered=len(answers),
        deferred=len(pending) - len(asked),
        **fields,
    )
    return labels


async def _ask(
    client: anthropic.AsyncAnthropic,
    settings: Settings,
    queries: Sequence[VendorQuery],
    categories: Sequence[str],
) -> tuple[dict[VendorQuery, Classification], dict[str, int]]:
    """Ask about every query within the budget: (accepted answers, error counts by type)."""
    semaphore = asyncio.Semaphore(MAX_CONCURRENCY)

    async def one(query: VendorQuery) -> Classification | None:
        async with semaphore:
            return await classify_one(client, settings.anthropic_model, query, categories)

    tasks = {asyncio.create_task(one(q)): q for q in queries}
    try:
        done, late = await asyncio.wait(tasks, timeout=settings.anthropic_budget_seconds)
    finally:
        # Also on cancellation of the scan: no request outlives the step that asked for it.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    answers: dict[VendorQuery, Classification] = {}
    errors: Counter[str] = Counter()
    for task in done:
        error = task.exception()
        if error is not None:
            errors[type(error).__name__] += 1
            continue
        label = task.result()
        if label is not None:
            answers[tasks[task]] = label
    if late:
        errors["budget_exhausted"] += len(late)
    return answers, dict(errors)
