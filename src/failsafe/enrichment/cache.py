"""The vendor enrichment cache (``vendor_enrichment``): public labels shared by every tenant.

The table holds a vendor's domain, the name that was sent and the model's label; nothing
says which tenant asked, so it is not engagement-scoped. :class:`VendorCache` reads and writes
it in short transactions of its own, so no transaction stays open while the model answers.

A label is trusted for ``FAILSAFE_ENRICHMENT_MAX_AGE_DAYS``: after that a scan asks again (a
vendor may change what it sells), and the answer replaces the row. Reports show whatever label
is cached, however old, until a scan refreshes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import Actor
from failsafe.db.engine import Database
from failsafe.enrichment.models import Classification, VendorQuery

_SELECT = (
    "SELECT vendor_key, category, risk, summary, source, model FROM vendor_enrichment"
    " WHERE vendor_key = ANY(:keys)"
)
_GET = text(_SELECT)
_GET_FRESH = text(_SELECT + " AND created_at >= now() - :max_age")
_PUT = text(
    "INSERT INTO vendor_enrichment (vendor_key, name, category, risk, summary, source, model)"
    " VALUES (:key, :name, :category, :risk, :summary, :source, :model)"
    " ON CONFLICT (vendor_key) DO UPDATE SET name = EXCLUDED.name,"
    " category = EXCLUDED.category, risk = EXCLUDED.risk, summary = EXCLUDED.summary,"
    " source = EXCLUDED.source, model = EXCLUDED.model, created_at = now()"
)


async def cached(
    session: AsyncSession, keys: Iterable[str], *, max_age: timedelta | None = None
) -> dict[str, Classification]:
    """Cached labels for ``keys`` (vendor domains), only those younger than ``max_age`` if
    given."""
    if max_age is None:
        rows = await session.execute(_GET, {"keys": list(keys)})
    else:
        rows = await session.execute(_GET_FRESH, {"keys": list(keys), "max_age": max_age})
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


@dataclass(frozen=True, slots=True)
class VendorCache:
    """The cache as one actor, each read or write in its own short transaction."""

    database: Database
    actor: Actor
    max_age: timedelta | None = None  # older labels count as missing, so they are asked again

    async def get(self, keys: Iterable[str]) -> dict[str, Classification]:
        async with self.database.transaction(self.actor) as session:
            return await cached(session, keys, max_age=self.max_age)

    async def put(self, answers: Mapping[VendorQuery, Classification]) -> None:
        if not answers:
            return
        async with self.database.transaction(self.actor) as session:
            for query, label in answers.items():
                await store(session, query, label)
