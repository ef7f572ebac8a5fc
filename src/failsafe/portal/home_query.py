"""The one query behind the engagements home page (partner, client and admin alike).

RLS narrows it to what the actor may see; the page never filters by account itself. One
statement for any number of engagements: the latest complete scan and the live connection
count come from LATERAL subqueries that each walk one index.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SortKey = Literal["name", "customer", "last_scan", "connections", "status"]
SORT_COLUMNS: dict[str, str] = {
    "name": "lower(e.name)",
    "customer": "lower(c.name)",
    "last_scan": "s.finished_at",
    "connections": "n.live",
    "status": "e.status",
}


@dataclass(frozen=True, slots=True)
class EngagementRow:
    """One line of the home table."""

    id: uuid.UUID
    name: str
    customer: str
    status: str
    connections: int
    last_scan_at: datetime | None
    last_scan_status: str | None
    interval_days: int

    @property
    def next_scan_at(self) -> datetime | None:
        """When the schedule runs next: a scan interval after the last complete scan."""
        if self.last_scan_at is None or self.connections == 0 or self.status != "active":
            return None
        return self.last_scan_at + timedelta(days=self.interval_days)


_QUERY = """
SELECT e.id, e.name, c.name AS customer, e.status, e.scan_interval_days,
       n.live, s.finished_at, s.status AS scan_status
FROM engagements e
JOIN accounts c ON c.id = e.customer_account_id
LEFT JOIN LATERAL (
    SELECT finished_at, status FROM scans
    WHERE engagement_id = e.id AND status IN ('succeeded', 'partial')
    ORDER BY queued_at DESC LIMIT 1
) s ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS live FROM connections
    WHERE engagement_id = e.id AND status <> 'revoked'
) n ON true
ORDER BY {order} {direction} NULLS LAST, e.id
LIMIT :limit
"""


async def engagement_rows(
    session: AsyncSession, *, sort: str = "name", descending: bool = False, limit: int = 1000
) -> list[EngagementRow]:
    """Every visible engagement, sorted by an allow-listed column."""
    order = SORT_COLUMNS.get(sort, SORT_COLUMNS["name"])
    # ``order`` and the direction come from fixed strings above, never from the request.
    sql = _QUERY.format(order=order, direction="DESC" if descending else "ASC")
    rows = await session.execute(text(sql), {"limit": limit})
    return [
        EngagementRow(
            id=row.id,
            name=row.name,
            customer=row.customer,
            status=row.status,
            connections=int(row.live or 0),
            last_scan_at=row.finished_at,
            last_scan_status=row.scan_status,
            interval_days=row.scan_interval_days,
        )
        for row in rows
    ]
