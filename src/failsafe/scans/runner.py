"""Run one scan end to end: claim, collect, enrich, then persist and complete in one transaction.

Each step is its own short transaction as ``SystemActor("scan", engagement_id)``, so RLS scopes
the job to one engagement. Collection and enrichment hold no transaction open. The inventory,
the findings, the sync cursor and the scan's final status are written in one transaction: a
worker killed at any point leaves either nothing or the complete scan, and the retried job
starts over cleanly.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.connections import credentials
from failsafe.connectors.collect import Collected, Credentials, collect_tenant
from failsafe.connectors.http import Sleep
from failsafe.connectors.plan import CollectionPlan
from failsafe.connectors.sections import ScanStopped
from failsafe.db.actor import SystemActor
from failsafe.enrichment.models import Classification
from failsafe.enrichment.service import enrichment_enabled
from failsafe.inventory.model import Inventory, Section, SectionStatus
from failsafe.runtime import Runtime
from failsafe.scans import cursor
from failsafe.scans.detection_step import run_detection
from failsafe.scans.enrichment_step import enrich_inventory
from failsafe.scans.persistence import persist_inventory, sections_json

log = structlog.get_logger(__name__)

TERMINAL = ("succeeded", "partial", "failed")


@dataclass
class ScanHooks:
    """Test seams: a transport under the guard, the back-off sleep, a fault before commit."""

    transport: httpx.AsyncBaseTransport | None = None
    sleep: Sleep = asyncio.sleep
    before_commit: Callable[[], Awaitable[None]] | None = None
    on_progress: Callable[[int, str], Awaitable[None]] | None = None


@dataclass
class Claimed:
    scan_id: uuid.UUID
    engagement_id: uuid.UUID
    connection_id: uuid.UUID
    credentials: Credentials
    plan: CollectionPlan
    fields: dict[str, str] = field(default_factory=dict)


def scan_actor(engagement_id: uuid.UUID) -> SystemActor:
    return SystemActor("scan", engagement_id=engagement_id)


async def execute_scan(
    runtime: Runtime,
    scan_id: uuid.UUID,
    engagement_id: uuid.UUID,
    *,
    hooks: ScanHooks | None = None,
    last_attempt: bool = True,
) -> str:
    """Run the scan and return its final status (a finished scan is left as it is)."""
    hooks = hooks or ScanHooks()
    claimed = await _claim(runtime, scan_id, engagement_id)
    if isinstance(claimed, str):
        return claimed
    progress = _progress_sink(runtime, claimed, hooks)
    try:
        collected = await collect_tenant(
            runtime.settings,
            claimed.credentials,
            claimed.plan,
            transport=hooks.transport,
            sleep=hooks.sleep,
            checkpoint=lambda: _checkpoint(runtime, claimed),
            progress=progress,
            log_fields=claimed.fields,
        )
        labels = await _enrich(runtime, claimed, collected.inventory, progress)
        return await _complete(runtime, claimed, collected, hooks, labels)
    except ScanStopped:
        await _fail(runtime, claimed, "stopped: the connection was revoked")
        return "failed"
    except Exception as exc:
        # Only the last attempt records the failure; earlier ones leave the scan running so
        # procrastinate's retry picks it up again. The exception always propagates.
        if last_attempt:
            await _fail(runtime, claimed, f"scan failed: {type(exc).__name__}")
        raise


async def _claim(runtime: Runtime, scan_id: uuid.UUID, engagement_id: uuid.UUID) -> Claimed | str:
    actor = scan_actor(engagement_id)
    async with runtime.database.transaction(actor) as session:
        scan = await _row(
            session,
            "SELECT id, status, connection_id FROM scans WHERE id = :id FOR UPDATE",
            scan_id,
        )
        if scan is None:
            log.warning("scan.not_found", scan_id=str(scan_id))
            return "missing"
        if scan["status"] in TERMINAL:
            return str(scan["status"])
        conn = await _row(
            session,
            "SELECT id, provider, status, sealed_credentials, options"
            " FROM connections WHERE id = :id",
            scan["connection_id"],
        )
        if conn is None or conn["status"] != "active" or conn["sealed_credentials"] is None:
            await _set_failed(session, scan_id, "the connection is not active (revoked?)")
            return "failed"
        started = datetime.now(UTC)
        await session.execute(
            text(
                "UPDATE scans SET status = 'running', started_at = coalesce(started_at, :t),"
                " progress = 1, progress_detail = 'starting', error = NULL WHERE id = :id"
            ),
            {"id": scan_id, "t": started},
        )
        plan = await cursor.plan_for(
            session,
            conn["id"],
            dict(conn["options"] or {}),
            started,
            runtime.settings.scan_mail_lookback_days,
        )
        opened = credentials.open_sealed(
            runtime.keyring, conn["id"], conn["sealed_credentials"], runtime.settings
        )
    fields = {
        "scan_id": str(scan_id),
        "engagement_id": str(engagement_id),
        "provider": str(conn["provider"]),
    }
    log.info("scan.started", **fields)
    return Claimed(scan_id, engagement_id, conn["id"], opened, plan, fields)


async def _row(session: AsyncSession, sql: str, row_id: uuid.UUID) -> Any:
    return (await session.execute(text(sql), {"id": row_id})).mappings().first()


async def _checkpoint(runtime: Runtime, claimed: Claimed) -> None:
    """Raise ScanStopped once the connection is no longer active (section boundaries)."""
    async with runtime.database.transaction(scan_actor(claimed.engagement_id)) as session:
        row = await _row(
            session, "SELECT status FROM connections WHERE id = :id", claimed.connection_id
        )
    if row is None or row["status"] != "active":
        raise ScanStopped("connection revoked")


def _progress_sink(
    runtime: Runtime, claimed: Claimed, hooks: ScanHooks
) -> Callable[[int, str], Awaitable[None]]:
    last = [-1]

    async def progress(percent: int, detail: str) -> None:
        if hooks.on_progress is not None:
            await hooks.on_progress(percent, detail)
        if percent == last[0]:
            return
        last[0] = percent
        async with runtime.database.transaction(scan_actor(claimed.engagement_id)) as session:
            await session.execute(
                text(
                    "UPDATE scans SET progress = :p, progress_detail = :d"
                    " WHERE id = :id AND status = 'running'"
                ),
                {"p": percent, "d": detail[:200], "id": claimed.scan_id},
            )

    return progress


def final_status(inventory: Inventory) -> tuple[str, str | None]:
    """succeeded, partial (some sections not assessed) or failed (none could be read)."""
    results = list(inventory.sections.values())
    missing = [r for r in results if r.status is SectionStatus.NOT_ASSESSED]
    if results and len(missing) == len(results):
        return "failed", f"no section could be read: {missing[0].reason}"
    return ("partial", None) if missing else ("succeeded", None)


async def _enrich(
    runtime: Runtime,
    claimed: Claimed,
    inventory: Inventory,
    progress: Callable[[int, str], Awaitable[None]],
) -> dict[str, Classification]:
    """Vendor labels for the rules; nothing to label when no section could be read."""
    if final_status(inventory)[0] == "failed" or not enrichment_enabled(runtime.settings):
        return {}
    await progress(92, "classifying vendors")  # collection ends at 90; this may take a minute
    return await enrich_inventory(
        runtime,
        inventory,
        actor=scan_actor(claimed.engagement_id),
        log_fields=claimed.fields,
    )


async def _complete(
    runtime: Runtime,
    claimed: Claimed,
    collected: Collected,
    hooks: ScanHooks,
    labels: dict[str, Classification],
) -> str:
    inventory = collected.inventory
    status, error = final_status(inventory)
    async with runtime.database.transaction(scan_actor(claimed.engagement_id)) as session:
        scan = await _row(
            session, "SELECT status FROM scans WHERE id = :id FOR UPDATE", claimed.scan_id
        )
        if scan is None or scan["status"] != "running":
            return str(scan["status"]) if scan else "missing"
        rows = findings = 0
        if status != "failed":
            rows = await persist_inventory(
                session, claimed.scan_id, claimed.engagement_id, inventory
            )
            findings = await run_detection(
                session, claimed.scan_id, claimed.engagement_id, inventory, labels
            )
            if inventory.assessed(Section.EMAIL_SIGNALS):
                await cursor.write_cursor(
                    session,
                    claimed.connection_id,
                    claimed.engagement_id,
                    cursor.next_cursor(claimed.plan, claimed.scan_id),
                )
        await session.execute(
            text(
                "UPDATE scans SET status = :s, progress = 100, progress_detail = 'done',"
                " sections = CAST(:sections AS jsonb), error = :e, finished_at = now()"
                " WHERE id = :id"
            ),
            {
                "s": status,
                "e": error,
                "id": claimed.scan_id,
                "sections": json.dumps(sections_json(inventory.sections.values())),
            },
        )
        await session.execute(
            text("UPDATE connections SET last_scan_at = now() WHERE id = :id"),
            {"id": claimed.connection_id},
        )
        if hooks.before_commit is not None:
            await hooks.before_commit()
    log.info(
        "scan.finished",
        status=status,
        rows=rows,
        findings=findings,
        requests=collected.stats.sent,
        **claimed.fields,
    )
    return status


async def _fail(runtime: Runtime, claimed: Claimed, reason: str) -> None:
    async with runtime.database.transaction(scan_actor(claimed.engagement_id)) as session:
        await _set_failed(session, claimed.scan_id, reason)
    log.warning("scan.failed", reason=reason, **claimed.fields)


async def _set_failed(session: AsyncSession, scan_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        text(
            "UPDATE scans SET status = 'failed', error = :e, finished_at = now()"
            " WHERE id = :id AND status IN ('queued', 'running')"
        ),
        {"e": reason[:500], "id": scan_id},
    )
