"""The per-connection mail sync cursor and the plan it gives the next scan.

The cursor holds the upper edge of the last mail window read (``mail_watermark``) and which scan
holds the signals up to it (``signals_scan_id``). The next scan reads only
``[mail_watermark, now)`` and starts its aggregation from that scan's signals, so every scan's
inventory has the complete picture while only new mail is fetched. It is written in the same
transaction that completes the scan: a crashed scan never advances it.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.connectors.plan import CollectionPlan
from failsafe.connectors.timeparse import parse_time
from failsafe.inventory.model import EmailSignal


async def read_cursor(session: AsyncSession, connection_id: uuid.UUID) -> dict[str, Any]:
    row = (
        await session.execute(
            text("SELECT cursor FROM connection_sync_cursors WHERE connection_id = :c"),
            {"c": connection_id},
        )
    ).first()
    return dict(row[0]) if row else {}


async def write_cursor(
    session: AsyncSession,
    connection_id: uuid.UUID,
    engagement_id: uuid.UUID,
    cursor: dict[str, Any],
) -> None:
    await session.execute(
        text(
            "INSERT INTO connection_sync_cursors (connection_id, engagement_id, cursor)"
            " VALUES (:c, :e, CAST(:cursor AS jsonb))"
            " ON CONFLICT (connection_id) DO UPDATE SET cursor = EXCLUDED.cursor,"
            " updated_at = now()"
        ),
        {"c": connection_id, "e": engagement_id, "cursor": json.dumps(cursor)},
    )


async def _signals(session: AsyncSession, scan_id: str) -> list[EmailSignal] | None:
    present = (
        await session.execute(
            text("SELECT 1 FROM inventory_tenants WHERE scan_id = :s"), {"s": scan_id}
        )
    ).first()
    if present is None:
        return None  # that scan is gone (retention): start over with a full window
    rows = await session.execute(
        text(
            "SELECT vendor_domain, user_email, kind, first_seen, last_seen, count"
            " FROM inventory_email_signals WHERE scan_id = :s"
        ),
        {"s": scan_id},
    )
    return [EmailSignal(*row) for row in rows]


async def plan_for(
    session: AsyncSession,
    connection_id: uuid.UUID,
    options: dict[str, Any],
    started_at: datetime,
    lookback_days: int,
) -> CollectionPlan:
    """The collection plan: full look-back on the first scan, incremental afterwards."""
    user_tokens = bool(options.get("user_tokens", False))
    if not options.get("mail_signals", True):
        return CollectionPlan(started_at, None, user_tokens=user_tokens)
    full = started_at - timedelta(days=lookback_days)
    cursor = await read_cursor(session, connection_id)
    watermark = parse_time(cursor.get("mail_watermark"))
    seed = await _signals(session, cursor["signals_scan_id"]) if watermark else None
    if watermark is None or seed is None or watermark <= full:
        return CollectionPlan(started_at, full, user_tokens=user_tokens)
    return CollectionPlan(started_at, watermark, tuple(seed), user_tokens=user_tokens)


def next_cursor(plan: CollectionPlan, scan_id: uuid.UUID) -> dict[str, Any]:
    return {"mail_watermark": plan.started_at.isoformat(), "signals_scan_id": str(scan_id)}
