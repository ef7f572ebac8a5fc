"""Per-scan summaries: the posture score's rule weights, open findings by severity and licence
waste of one stored scan, kept in ``scan_summaries`` so pages read one row per scan.

A summary is a cache of what the stored findings and sections say, computed by the one scoring
path (:func:`failsafe.reports.posture.scan_outcomes` then
:func:`failsafe.detections.scores.rule_weights`), never by a second formula. It is written

- when a scan's findings are persisted, in that transaction (:func:`refresh_summaries` from
  :func:`failsafe.detections.store.persist.persist_findings`), so a scan never becomes visible
  without it and a failed persist leaves none;
- when a review (accept, resolve, reopen) changes a finding's status, in the review's
  transaction, for every scan holding that fingerprint: an accepted risk leaves the score and
  the open counts at once, exactly as the findings themselves do;
- lazily by :func:`load_summaries` for a complete scan without one (scans stored before the
  table existed) or with one computed under another rule set (``rules_digest``), so the
  numbers always follow the current rules, as when they were recomputed on every request.

Engagement settings (sanctioned vendors, negotiated prices) feed detection, which stores its
findings with their costs; a settings change applies from the next scan, as the portal says,
and touches no stored finding, so no summary needs recomputing for it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Family, RuleSpec, Severity
from failsafe.detections.scores import WEIGHTS, PostureScore, Weights, rule_weights
from failsafe.reports import posture

log = structlog.get_logger(__name__)

_OPEN = text(
    "SELECT s.id AS scan_id, s.engagement_id, f.severity, count(f.id) AS n,"
    " sum(f.monthly_cost) AS cost"
    " FROM scans s LEFT JOIN findings f ON f.scan_id = s.id AND f.status = 'open'"
    " WHERE s.id = ANY(:scans) GROUP BY s.id, s.engagement_id, f.severity"
)
# What :func:`stored_summary` reads of a row, for queries that join ``scan_summaries AS ss``.
COLUMNS = (
    "ss.rules_digest, ss.weights, ss.open_critical, ss.open_high, ss.open_medium, ss.open_low,"
    " ss.open_info, ss.monthly_waste"
)
_READ = text(
    f"SELECT ss.scan_id, ss.engagement_id, {COLUMNS} FROM scan_summaries ss"
    " WHERE ss.scan_id = ANY(:scans)"
)
_UPSERT = (
    "INSERT INTO scan_summaries (scan_id, engagement_id, rules_digest, score_overall,"
    " score_shadow_it, score_app_permissions, score_identity, score_licenses, weights,"
    " open_critical, open_high, open_medium, open_low, open_info, monthly_waste, computed_at)"
    " VALUES (:scan_id, :engagement_id, :rules_digest, :overall, :shadow_it,"
    " :app_permissions, :identity, :licenses, CAST(:weights AS jsonb), :critical, :high,"
    " :medium, :low, :info, :waste, now())"
    " ON CONFLICT (scan_id) DO UPDATE SET engagement_id = EXCLUDED.engagement_id,"
    " rules_digest = EXCLUDED.rules_digest, score_overall = EXCLUDED.score_overall,"
    " score_shadow_it = EXCLUDED.score_shadow_it,"
    " score_app_permissions = EXCLUDED.score_app_permissions,"
    " score_identity = EXCLUDED.score_identity, score_licenses = EXCLUDED.score_licenses,"
    " weights = EXCLUDED.weights, open_critical = EXCLUDED.open_critical,"
    " open_high = EXCLUDED.open_high, open_medium = EXCLUDED.open_medium,"
    " open_low = EXCLUDED.open_low, open_info = EXCLUDED.open_info,"
    " monthly_waste = EXCLUDED.monthly_waste, computed_at = EXCLUDED.computed_at"
)
_REFRESH = text(_UPSERT)
# The lazy path never overwrites a row computed under the current rules: a review that
# committed in between wrote the newer truth.
_FILL = text(_UPSERT + " WHERE scan_summaries.rules_digest IS DISTINCT FROM EXCLUDED.rules_digest")


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """What the portal needs of one stored scan."""

    scan_id: uuid.UUID
    engagement_id: uuid.UUID
    rules_digest: str
    weights: Weights | None  # None: no stored inventory, so no rule's coverage is known
    open_counts: dict[Severity, int] = field(default_factory=dict)  # non-zero counts only
    monthly_waste: float = 0.0  # open findings' cost per month

    @property
    def score(self) -> PostureScore | None:
        """This scan's own family and overall scores."""
        return self.weights.score() if self.weights is not None else None


# Digests by the identity of the (cached, never mutated) rule set, which the entry holds on to so
# the id cannot be reused: every page read would otherwise hash the whole rule set again.
_DIGESTS: dict[int, tuple[Mapping[str, RuleSpec], str]] = {}


def rules_digest(specs: Mapping[str, RuleSpec]) -> str:
    """A short digest of everything the score reads from the rule set and the weights table.

    A deploy that changes a rule's severity, family, providers or required sections changes
    the digest, and summaries computed before it are recomputed on their next read.
    """
    cached = _DIGESTS.get(id(specs))
    if cached is not None and cached[0] is specs:
        return cached[1]
    digest = _digest(specs)
    if len(_DIGESTS) < 16:  # one rule set in production; a handful in tests
        _DIGESTS[id(specs)] = (specs, digest)
    return digest


def _digest(specs: Mapping[str, RuleSpec]) -> str:
    rules = sorted(
        (
            spec.id,
            spec.family.value,
            spec.severity.value,
            sorted(spec.providers),
            sorted(str(s) for s in spec.requires),
            sorted(str(s) for s in spec.requires_any),
        )
        for spec in specs.values()
    )
    weights = sorted((severity.value, weight) for severity, weight in WEIGHTS.items())
    payload = json.dumps([rules, weights], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


async def compute_summaries(
    session: AsyncSession,
    scan_ids: Collection[uuid.UUID],
    specs: Mapping[str, RuleSpec] | None = None,
) -> dict[uuid.UUID, ScanSummary]:
    """Summaries of the stored scans ``scan_ids`` from their findings and sections (not stored).

    Reads under the session's RLS; a scan the actor cannot see is left out.
    """
    if not scan_ids:
        return {}
    specs = specs if specs is not None else load_rule_specs()
    outcomes = await posture.scan_outcomes(session, scan_ids, specs)
    engagements: dict[uuid.UUID, uuid.UUID] = {}
    counts: dict[uuid.UUID, dict[Severity, int]] = defaultdict(dict)
    waste: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for row in await session.execute(_OPEN, {"scans": list(scan_ids)}):
        engagements[row.scan_id] = row.engagement_id
        if row.severity is not None:
            counts[row.scan_id][Severity(row.severity)] = int(row.n)
            waste[row.scan_id] += row.cost or Decimal(0)
    digest = rules_digest(specs)
    return {
        scan_id: ScanSummary(
            scan_id=scan_id,
            engagement_id=engagement_id,
            rules_digest=digest,
            weights=rule_weights(outcomes[scan_id], specs) if scan_id in outcomes else None,
            open_counts=counts.get(scan_id, {}),
            monthly_waste=float(waste.get(scan_id, Decimal(0))),
        )
        for scan_id, engagement_id in engagements.items()
    }


async def refresh_summaries(
    session: AsyncSession,
    scan_ids: Collection[uuid.UUID],
    specs: Mapping[str, RuleSpec] | None = None,
) -> dict[uuid.UUID, ScanSummary]:
    """Compute and store (replace) the summaries of ``scan_ids``; only flushes.

    Call it in the transaction that changed the scans' findings, so the summary commits or
    rolls back with them.
    """
    summaries = await compute_summaries(session, scan_ids, specs)
    await _store(session, summaries.values(), _REFRESH)
    log.info("scan_summaries.refreshed", scans=len(summaries))
    return summaries


async def load_summaries(
    session: AsyncSession,
    scan_ids: Collection[uuid.UUID],
    specs: Mapping[str, RuleSpec] | None = None,
) -> dict[uuid.UUID, ScanSummary]:
    """The stored summaries of ``scan_ids`` (complete scans), computing and storing any that
    is missing or was computed under another rule set."""
    if not scan_ids:
        return {}
    found: dict[uuid.UUID, ScanSummary | None] = {
        row.scan_id: stored_summary(row, row.scan_id, row.engagement_id)
        for row in await session.execute(_READ, {"scans": list(scan_ids)})
    }
    return await complete_summaries(session, {s: found.get(s) for s in scan_ids}, specs)


async def complete_summaries(
    session: AsyncSession,
    stored: Mapping[uuid.UUID, ScanSummary | None],
    specs: Mapping[str, RuleSpec] | None = None,
) -> dict[uuid.UUID, ScanSummary]:
    """``stored`` (scan id -> its row read with :data:`COLUMNS`, None when it had none) with
    every missing or outdated summary computed and stored."""
    specs = specs if specs is not None else load_rule_specs()
    digest = rules_digest(specs)
    found = {s: summary for s, summary in stored.items() if summary is not None}
    stale = [s for s in stored if s not in found or found[s].rules_digest != digest]
    if stale:
        computed = await compute_summaries(session, stale, specs)
        await _store(session, computed.values(), _FILL)
        found.update(computed)
        log.info("scan_summaries.filled", scans=len(computed))
    return found


async def _store(session: AsyncSession, summaries: Iterable[ScanSummary], statement: Any) -> None:
    # One order for every writer: two transactions filling overlapping sets wait on each other
    # instead of deadlocking.
    rows = [_params(s) for s in sorted(summaries, key=lambda s: s.scan_id)]
    if rows:
        await session.execute(statement, rows)


def _params(summary: ScanSummary) -> dict[str, Any]:
    score = summary.score
    families = score.families if score else {}
    weights = summary.weights
    return {
        "scan_id": summary.scan_id,
        "engagement_id": summary.engagement_id,
        "rules_digest": summary.rules_digest,
        "overall": score.overall if score else None,
        **{family.value: families.get(family) for family in Family},
        "weights": None if weights is None else _weights_json(weights),
        **{severity.value: summary.open_counts.get(severity, 0) for severity in Severity},
        "waste": round(Decimal(str(summary.monthly_waste)), 2),
    }


def _weights_json(weights: Weights) -> str:
    """``{family: [assessed, lost]}`` for every family."""
    return json.dumps(
        {f.value: [weights.assessed.get(f, 0), weights.lost.get(f, 0)] for f in Family}
    )


_FAMILY_NAMES = {family.value: family for family in Family}


def stored_summary(row: Any, scan_id: uuid.UUID, engagement_id: uuid.UUID) -> ScanSummary | None:
    """The summary in a row read with :data:`COLUMNS` (None when the scan has none yet)."""
    if row.rules_digest is None:
        return None
    weights = None
    if row.weights is not None:
        pairs = [(_FAMILY_NAMES[name], pair) for name, pair in row.weights.items()]
        weights = Weights({f: int(p[0]) for f, p in pairs}, {f: int(p[1]) for f, p in pairs})
    counts = (
        (Severity.CRITICAL, row.open_critical),
        (Severity.HIGH, row.open_high),
        (Severity.MEDIUM, row.open_medium),
        (Severity.LOW, row.open_low),
        (Severity.INFO, row.open_info),
    )
    return ScanSummary(
        scan_id=scan_id,
        engagement_id=engagement_id,
        rules_digest=row.rules_digest,
        weights=weights,
        open_counts={severity: int(n) for severity, n in counts if n},
        monthly_waste=float(row.monthly_waste),
    )
