"""Scheduled scans: every active connection of an active engagement is scanned again once its
engagement's ``scan_interval_days`` have passed since its last scan (weekly by default).

The periodic job selects due connections with ``FOR UPDATE SKIP LOCKED`` and requests each scan
through :func:`enqueue_scheduled_scan`, the one place that knows how scans are queued.
"""

from __future__ import annotations

import datetime as dt
import uuid

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.errors import FailSafeError

log = structlog.get_logger(__name__)

ACTOR = SystemActor("operations.schedule")

# Due: active connection with credentials, engagement active, customer account not deleted,
# no scan queued or running, and the last scan (or the connection's creation) older than the
# engagement's interval.
DUE_CONNECTIONS = text(
    "SELECT c.id, c.engagement_id FROM connections c"
    " JOIN engagements e ON e.id = c.engagement_id"
    " JOIN accounts a ON a.id = e.customer_account_id"
    " WHERE c.status = 'active' AND c.sealed_credentials IS NOT NULL"
    " AND e.status = 'active' AND a.status = 'active'"
    " AND coalesce(c.last_scan_at, c.created_at)"
    "     <= :now - make_interval(days => e.scan_interval_days)"
    " AND NOT EXISTS (SELECT 1 FROM scans s WHERE s.connection_id = c.id"
    "     AND s.status IN ('queued', 'running'))"
    " ORDER BY coalesce(c.last_scan_at, c.created_at) LIMIT :limit"
    " FOR UPDATE OF c SKIP LOCKED"
)


async def enqueue_scheduled_scan(session: AsyncSession, connection_id: uuid.UUID) -> None:
    """Queue one scheduled scan through the scans service (row and job in this transaction)."""
    from failsafe.scans.service import request_scan

    await request_scan(session, ACTOR, connection_id, trigger="scheduled")


async def due_connections(
    session: AsyncSession, now: dt.datetime, limit: int = 500
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(connection id, engagement id) of every connection due at ``now``, locked."""
    rows = await session.execute(DUE_CONNECTIONS, {"now": now, "limit": limit})
    return [(row.id, row.engagement_id) for row in rows]


async def schedule_due_scans(database: Database, *, now: dt.datetime) -> dict[str, int]:
    """Request a scan of every due connection; returns counts."""
    queued = skipped = 0
    async with database.transaction(ACTOR) as session:
        for connection_id, engagement_id in await due_connections(session, now):
            try:
                async with session.begin_nested():
                    await enqueue_scheduled_scan(session, connection_id)
            except FailSafeError as exc:
                # A connection revoked or scanned meanwhile: skip it, schedule the rest.
                skipped += 1
                log.info(
                    "schedule.scan_skipped",
                    connection_id=str(connection_id),
                    engagement_id=str(engagement_id),
                    reason=exc.__class__.__name__,
                )
                continue
            queued += 1
    log.info("schedule.scans_queued", queued=queued, skipped=skipped)
    return {"queued": queued, "skipped": skipped}
