"""The vendor enrichment cache (``vendor_enrichment``): public labels shared by every tenant."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.enrichment.models import Classification, VendorQuery

_GET = text(
    "SELECT vendor_key, category, risk, summary, source, model FROM vendor_enrichment"
    " WHERE vendor_key = ANY(:keys)"
)
_PUT = text(
    "INSERT INTO vendor_enrichment (vendor_key, name, category, risk, summary, source, model)"
    " VALUES (:key, :name, :category, :risk, :summary, :source, :model)"
    " ON CONFLICT (vendor_key) DO UPDATE SET name = EXCLUDED.name,"
    " category = EXCLUDED.category, risk = EXCLUDED.risk, summary = EXCLUDED.summary,"
    " source = EXCLUDED.source, model = EXCLUDED.model, created_at = now()"
)


async def cached(session: AsyncSession, keys: Iterable[str]) -> dict[str, Classification]:
    """Cached labels for ``keys`` (vendor domains)."""
    rows = await session.execute(_GET, {"keys": list(keys)})
    return {
        row.vendor_key: Classification(
            category=row.category,
            risk=row.risk,
            summary=row.summary,
            source=row.source,
            model=row.model,
        )
        for row in rows
    }


async def store(session: AsyncSession, query: VendorQuery, label: Classification) -> None:
    """Remember ``label`` for ``query`` (only AI answers are worth caching)."""
    await session.execute(
        _PUT,
        {
            "key": query.key,
            "name": query.name,
            "category": label.category,
            "risk": label.risk,
            "summary": label.summary,
            "source": label.source,
            "model": label.model,
        },
    )
