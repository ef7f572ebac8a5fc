"""Write one scan's findings (COPY through a staging table) with new/unchanged status, and the
scan's summary (score weights, open counts, waste) in the same transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.detections.diff import diff_findings
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Finding, RuleOutcome, RuleSpec
from failsafe.detections.store.reviews import review_states
from failsafe.detections.store.schemas import PersistResult
from failsafe.errors import NotFound
from failsafe.scans.persistence import driver_connection
from failsafe.scans.summaries import refresh_summaries

log = structlog.get_logger(__name__)

COLUMNS = (
    "engagement_id", "scan_id", "connection_id", "provider", "rule_id", "fingerprint", "subject",
    "family", "severity", "severity_rank", "title", "evidence", "monthly_cost", "controls",
    "change", "first_seen_scan_id", "first_seen_at", "status",
)  # fmt: skip

_SCAN = text(
    "SELECT s.engagement_id, s.connection_id, s.queued_at, c.provider FROM scans s"
    " JOIN connections c ON c.id = s.connection_id WHERE s.id = :scan"
)
_PREVIOUS = text(
    "SELECT id FROM scans WHERE connection_id = :connection AND id <> :scan"
    " AND queued_at < :queued AND status IN ('succeeded', 'partial')"
    " ORDER BY queued_at DESC LIMIT 1"
)
_PREVIOUS_FINDINGS = text(
    "SELECT fingerprint, first_seen_scan_id, first_seen_at FROM findings WHERE scan_id = :scan"
)
_DELETE = text("DELETE FROM findings WHERE scan_id = :scan")


def controls_of(spec: RuleSpec) -> list[str]:
    """``framework:id`` strings, the form the list filter matches."""
    return [f"{fw.value}:{cid}" for fw, ids in spec.controls.items() for cid in ids]


async def persist_findings(
    session: AsyncSession,
    scan_id: uuid.UUID,
    outcomes: Iterable[RuleOutcome] | Iterable[Finding],
    *,
    now: datetime | None = None,
    specs: Mapping[str, RuleSpec] | None = None,
) -> PersistResult:
    """Replace the scan's findings and mark each new or unchanged against the previous scan,
    then (re)write the scan's summary from them.

    The summary reads the scan's stored sections, so the inventory is persisted first (the
    scan runner does). Idempotent: a retried scan deletes what an earlier attempt wrote. Only
    flushes; the caller's transaction commits.
    """
    now = now or datetime.now(UTC)
    specs = specs or load_rule_specs()
    scan = (await session.execute(_SCAN, {"scan": scan_id})).one_or_none()
    if scan is None:
        raise NotFound("scan not found")
    engagement_id, connection_id, queued_at, provider = scan
    findings = _flatten(outcomes)

    previous_id = (
        await session.execute(
            _PREVIOUS, {"connection": connection_id, "scan": scan_id, "queued": queued_at}
        )
    ).scalar_one_or_none()
    first_seen: dict[str, tuple[uuid.UUID, datetime]] = {}
    if previous_id is not None:
        rows = await session.execute(_PREVIOUS_FINDINGS, {"scan": previous_id})
        first_seen = {fp: (sid, at) for fp, sid, at in rows}
    diff = diff_findings(first_seen, (f.fingerprint for f in findings))
    states = await review_states(session, engagement_id, now=now)

    await session.execute(_DELETE, {"scan": scan_id})
    rows_out = []
    for finding in findings:
        seen_scan, seen_at = first_seen.get(finding.fingerprint, (scan_id, now))
        rows_out.append(
            (
                engagement_id, scan_id, connection_id, provider, finding.rule_id,
                finding.fingerprint, finding.subject, finding.family.value,
                finding.severity.value, finding.severity.rank, finding.title,
                json.dumps(finding.evidence, default=str, sort_keys=True),
                finding.monthly_cost, controls_of(specs[finding.rule_id]),
                "unchanged" if finding.fingerprint in diff.unchanged else "new",
                seen_scan, seen_at, states.get(finding.fingerprint, "open"),
            )
        )  # fmt: skip
    written = await _copy(session, rows_out)
    await refresh_summaries(session, [scan_id], specs)
    result = PersistResult(
        scan_id=scan_id,
        previous_scan_id=previous_id,
        written=written,
        new=len(diff.new),
        unchanged=len(diff.unchanged),
        resolved=len(diff.resolved),
    )
    log.info(
        "findings.persisted",
        scan_id=str(scan_id),
        written=written,
        new=result.new,
        unchanged=result.unchanged,
        resolved=result.resolved,
    )
    return result


def _flatten(outcomes: Iterable[RuleOutcome] | Iterable[Finding]) -> list[Finding]:
    findings: dict[str, Finding] = {}
    for item in outcomes:
        for finding in item.findings if isinstance(item, RuleOutcome) else (item,):
            findings[finding.fingerprint] = finding  # one row per fingerprint per scan
    return list(findings.values())


async def _copy(session: AsyncSession, rows: list[tuple[Any, ...]]) -> int:
    """COPY into a transaction-local staging table, then one INSERT ... SELECT.

    COPY cannot target a table with row-level security for a role bound by it; the INSERT
    still passes every policy check.
    """
    if not rows:
        return 0
    driver = await driver_connection(session)
    columns = ", ".join(COLUMNS)
    async with driver.cursor() as cursor:
        await cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS staging_findings"
            " (LIKE findings INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        await cursor.execute("ALTER TABLE staging_findings ALTER COLUMN id DROP NOT NULL")
        async with cursor.copy(f"COPY staging_findings ({columns}) FROM STDIN") as copy:
            for row in rows:
                await copy.write_row(row)
        await cursor.execute(
            f"INSERT INTO findings ({columns}) SELECT {columns} FROM staging_findings"
        )
        await cursor.execute("DROP TABLE staging_findings")
    return len(rows)
