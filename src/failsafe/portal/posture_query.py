"""Posture of engagements from their stored scans: score, trend, open findings, what changed.

An engagement may have several tenants. Its current state is the newest complete scan of each
connection (the scans the inventory pages read too), and its score is the report's formula over
all of them at once (their rule weights summed, as :func:`failsafe.reports.posture.combined`
does): with one tenant it is exactly the number that tenant's report prints. The trend is that
score after each complete scan, so a second tenant joining shows as one step rather than as two
interleaved lines.

Scores, open counts and waste come from each scan's stored summary
(:mod:`failsafe.scans.summaries`): the rule weights the report's formula reads, kept per scan
so several tenants' weights add up to the engagement's score. A trend point is one row however
many findings the scan holds. Every read is set-based (a handful of statements for any number
of engagements) and runs under the actor's RLS; callers pass engagement ids they already loaded
through RLS.
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
from failsafe.detections.model import Severity
from failsafe.detections.scores import PostureScore, Weights
from failsafe.scans import summaries
from failsafe.scans.summaries import ScanSummary

# Each connection's last :depth complete scans, numbered newest first (n = 1 is the newest).
_RECENT = (
    "SELECT s.id, s.engagement_id, s.connection_id, s.finished_at, s.queued_at,"
    " row_number() OVER (PARTITION BY s.connection_id ORDER BY s.queued_at DESC) AS n"
    " FROM scans s WHERE s.engagement_id = ANY(:engagements)"
    " AND s.status IN ('succeeded', 'partial')"
)
_HISTORY = text(
    f"SELECT id, engagement_id, connection_id, finished_at FROM ({_RECENT}) t"
    " WHERE n <= :depth ORDER BY queued_at, id"
)
# The history with each scan's stored summary, in one statement (the home page reads 400 rows).
_HISTORY_SUMMARIES = text(
    f"SELECT t.id, t.engagement_id, t.connection_id, t.finished_at, {summaries.COLUMNS}"
    f" FROM ({_RECENT}) t LEFT JOIN scan_summaries ss ON ss.scan_id = t.id"
    " WHERE t.n <= :depth ORDER BY t.queued_at, t.id"
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
class OpenFindings:
    """Open findings of an engagement's current scans."""

    by_severity: dict[Severity, int] = field(default_factory=dict)
    monthly_waste: float = 0.0  # licence findings' list-price cost per month

    def count(self, severity: Severity) -> int:
        return self.by_severity.get(severity, 0)


@dataclass(frozen=True, slots=True)
class Posture:
    """One engagement's posture from its current scans."""

    current: list[CurrentScan] = field(default_factory=list)
    score: PostureScore | None = None  # None until a complete scan with an inventory exists
    trend: list[tuple[datetime, int]] = field(default_factory=list)  # oldest first
    found: OpenFindings = field(default_factory=OpenFindings)  # open in the current scans

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
        await session.execute(
            _HISTORY_SUMMARIES, {"engagements": list(engagement_ids), "depth": depth}
        )
    ).all()
    stored = await summaries.complete_summaries(
        session, {row.id: summaries.stored_summary(row, row.id, row.engagement_id) for row in rows}
    )
    by_engagement: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID, datetime | None]]] = (
        defaultdict(list)
    )
    for row in rows:
        by_engagement[row.engagement_id].append((row.id, row.connection_id, row.finished_at))

    result: dict[uuid.UUID, Posture] = {}
    for engagement_id, scans in by_engagement.items():
        latest: dict[uuid.UUID, CurrentScan] = {}
        trend: list[tuple[datetime, int]] = []
        score: PostureScore | None = None
        for scan_id, connection_id, finished_at in scans:  # oldest first
            before = latest.get(connection_id)
            latest[connection_id] = CurrentScan(
                scan_id, connection_id, finished_at, before.id if before else None
            )
            score = _combined(stored, latest.values())
            if score is not None and score.overall is not None and finished_at is not None:
                trend.append((finished_at, score.overall))
        result[engagement_id] = Posture(
            current=list(latest.values()),
            score=score,  # the last step's: the engagement's current scans
            trend=trend[-MAX_POINTS:],
            found=_open(stored, latest.values()),
        )
    return result


def _combined(
    stored: dict[uuid.UUID, ScanSummary], current: Collection[CurrentScan]
) -> PostureScore | None:
    """The report's formula over the current scans: their rule weights add up.

    None when no current scan has a stored inventory (nothing says which rules could run).
    """
    weights = [
        summary.weights
        for scan in current
        if (summary := stored.get(scan.id)) is not None and summary.weights is not None
    ]
    return Weights.total(weights).score() if weights else None


def _open(stored: dict[uuid.UUID, ScanSummary], current: Collection[CurrentScan]) -> OpenFindings:
    """Open findings of the current scans: counts by severity and waste, summed."""
    counts: dict[Severity, int] = {}
    waste = 0.0
    for scan in current:
        summary = stored.get(scan.id)
        if summary is None:
            continue
        for severity, n in summary.open_counts.items():
            counts[severity] = counts.get(severity, 0) + n
        waste += summary.monthly_waste
    return OpenFindings(counts, round(waste, 2))


async def engagement_posture(session: AsyncSession, engagement_id: uuid.UUID) -> Posture:
    """Posture of one engagement (an empty one before its first complete scan)."""
    return (await postures(session, [engagement_id])).get(engagement_id, Posture())


async def current_scans(session: AsyncSession, engagement_id: uuid.UUID) -> list[CurrentScan]:
    """The newest complete scan of each of the engagement's connections."""
    rows = await session.execute(_HISTORY, {"engagements": [engagement_id], "depth": 1})
    return [CurrentScan(row.id, row.connection_id, row.finished_at, None) for row in rows]


async def changes(session: AsyncSession, current: Sequence[CurrentScan]) -> Changes | None:
    """New, unchanged and gone findings (None when no connection has two complete scans)."""
    previous = [scan.previous_id for scan in current if scan.previous_id is not None]
    if not previous:
        return None
    latest = [scan.id for scan in current]
    counted = (await session.execute(_CHANGES, {"latest": latest})).one()
    gone = await session.scalar(_GONE, {"latest": latest, "previous": previous})
    return Changes(new=int(counted.new), unchanged=int(counted.unchanged), gone=int(gone or 0))
