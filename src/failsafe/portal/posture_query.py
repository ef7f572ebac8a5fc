"""Posture of engagements from their stored scans: score, trend, open findings, what changed.

An engagement may have several tenants. Its current state is the newest complete scan of each
connection (the scans the inventory pages read too), and its score is the report's formula over
all of them at once (:func:`failsafe.reports.posture.combined`): with one tenant it is exactly
the number that tenant's report prints. The trend is that score after each complete scan, so a
second tenant joining shows as one step rather than as two interleaved lines.

Every read is set-based (a handful of statements for any number of engagements) and runs under
the actor's RLS; callers pass engagement ids they already loaded through RLS.

Limitation: scores are not stored; each trend point re-reads its scan's open findings (one
GROUP BY per scan). That is a few milliseconds for an SMB tenant but about 60 ms per point at
100,000 findings a scan; storing each scan's rule outcomes when its findings are persisted
would make a point one row.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.charts.trend import MAX_POINTS
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Severity
from failsafe.detections.scores import PostureScore
from failsafe.reports import posture

_HISTORY = text(
    "SELECT id, engagement_id, connection_id, finished_at FROM ("
    " SELECT s.id, s.engagement_id, s.connection_id, s.finished_at, s.queued_at,"
    " row_number() OVER (PARTITION BY s.connection_id ORDER BY s.queued_at DESC) AS n"
    " FROM scans s WHERE s.engagement_id = ANY(:engagements)"
    " AND s.status IN ('succeeded', 'partial')"
    ") t WHERE n <= :depth ORDER BY queued_at, id"
)
_OPEN = text(
    "SELECT engagement_id, severity, count(*) AS n, sum(monthly_cost) AS cost FROM findings"
    " WHERE scan_id = ANY(:scans) AND status = 'open' GROUP BY engagement_id, severity"
)
_CHANGES = text(
    "SELECT count(*) FILTER (WHERE change = 'new') AS new,"
    " count(*) FILTER (WHERE change = 'unchanged') AS unchanged"
    " FROM findings WHERE scan_id = ANY(:latest)"
)
# Gone since the previous scan: its fingerprints that the current scans no longer hold.
_GONE = text(
    "SELECT count(*) FROM findings p WHERE p.scan_id = ANY(:previous) AND NOT EXISTS"
    " (SELECT 1 FROM findings c WHERE c.scan_id = ANY(:latest) AND c.fingerprint = p.fingerprint)"
)


@dataclass(frozen=True, slots=True)
class CurrentScan:
    """The newest complete scan of one connection."""

    id: uuid.UUID
    connection_id: uuid.UUID
    finished_at: datetime | None
    previous_id: uuid.UUID | None  # the connection's complete scan before it


@dataclass(frozen=True, slots=True)
class Posture:
    """One engagement's posture from its current scans."""

    current: list[CurrentScan] = field(default_factory=list)
    score: PostureScore | None = None  # None until a complete scan with an inventory exists
    trend: list[tuple[datetime, int]] = field(default_factory=list)  # oldest first

    @property
    def scan_ids(self) -> list[uuid.UUID]:
        return [scan.id for scan in self.current]

    @property
    def change(self) -> int | None:
        """Score now minus the score before the newest scan (None without two points)."""
        if len(self.trend) < 2:
            return None
        return self.trend[-1][1] - self.trend[-2][1]


@dataclass(frozen=True, slots=True)
class OpenFindings:
    """Open findings of an engagement's current scans."""

    by_severity: dict[Severity, int] = field(default_factory=dict)
    monthly_waste: float = 0.0  # licence findings' list-price cost per month

    def count(self, severity: Severity) -> int:
        return self.by_severity.get(severity, 0)


@dataclass(frozen=True, slots=True)
class Changes:
    """Findings of the current scans against each connection's previous complete scan."""

    new: int
    unchanged: int
    gone: int  # in the previous scan, no longer found


async def postures(
    session: AsyncSession, engagement_ids: Collection[uuid.UUID], *, depth: int = MAX_POINTS
) -> dict[uuid.UUID, Posture]:
    """Posture of each engagement, with a trend over up to ``depth`` scans per connection."""
    if not engagement_ids:
        return {}
    rows = (
        await session.execute(_HISTORY, {"engagements": list(engagement_ids), "depth": depth})
    ).all()
    specs = load_rule_specs()
    outcomes = await posture.scan_outcomes(session, [row.id for row in rows], specs)
    by_engagement: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID, datetime | None]]] = (
        defaultdict(list)
    )
    for row in rows:
        by_engagement[row.engagement_id].append((row.id, row.connection_id, row.finished_at))

    result: dict[uuid.UUID, Posture] = {}
    for engagement_id, scans in by_engagement.items():
        latest: dict[uuid.UUID, CurrentScan] = {}
        trend: list[tuple[datetime, int]] = []
        for scan_id, connection_id, finished_at in scans:  # oldest first
            before = latest.get(connection_id)
            latest[connection_id] = CurrentScan(
                scan_id, connection_id, finished_at, before.id if before else None
            )
            state = [outcomes[s.id] for s in latest.values() if s.id in outcomes]
            overall = posture.combined(state, specs).overall if state else None
            if overall is not None and finished_at is not None:
                trend.append((finished_at, overall))
        state = [outcomes[s.id] for s in latest.values() if s.id in outcomes]
        result[engagement_id] = Posture(
            current=list(latest.values()),
            score=posture.combined(state, specs) if state else None,
            trend=trend[-MAX_POINTS:],
        )
    return result


async def engagement_posture(session: AsyncSession, engagement_id: uuid.UUID) -> Posture:
    """Posture of one engagement (an empty one before its first complete scan)."""
    return (await postures(session, [engagement_id])).get(engagement_id, Posture())


async def current_scans(session: AsyncSession, engagement_id: uuid.UUID) -> list[CurrentScan]:
    """The newest complete scan of each of the engagement's connections."""
    rows = await session.execute(_HISTORY, {"engagements": [engagement_id], "depth": 1})
    return [CurrentScan(row.id, row.connection_id, row.finished_at, None) for row in rows]


async def open_findings(
    session: AsyncSession, scan_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OpenFindings]:
    """Open findings per engagement of ``scan_ids`` (current scans): counts and waste."""
    if not scan_ids:
        return {}
    counts: dict[uuid.UUID, dict[Severity, int]] = defaultdict(dict)
    waste: dict[uuid.UUID, float] = defaultdict(float)
    for row in await session.execute(_OPEN, {"scans": list(scan_ids)}):
        counts[row.engagement_id][Severity(row.severity)] = int(row.n)
        waste[row.engagement_id] += float(row.cost or 0)
    return {e: OpenFindings(counts[e], round(waste[e], 2)) for e in counts}


async def changes(session: AsyncSession, current: Sequence[CurrentScan]) -> Changes | None:
    """New, unchanged and gone findings (None when no connection has two complete scans)."""
    previous = [scan.previous_id for scan in current if scan.previous_id is not None]
    if not previous:
        return None
    latest = [scan.id for scan in current]
    counted = (await session.execute(_CHANGES, {"latest": latest})).one()
    gone = await session.scalar(_GONE, {"latest": latest, "previous": previous})
    return Changes(new=int(counted.new), unchanged=int(counted.unchanged), gone=int(gone or 0))
