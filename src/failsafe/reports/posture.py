"""Rule coverage and the posture score of a stored scan, by the detections package's formula.

Rule outcomes are not stored, only findings; a rule's outcome is rebuilt from the scan's
sections (which tell whether the rule could run, exactly as the engine decides it) and its stored
findings. The score is then :func:`failsafe.detections.scores.posture_score` with only open
findings counting, the same number the portal shows.

The formula reads no more than the worst open severity of each assessed rule, so a scan read
back from the database (:func:`scan_outcomes`, two set-based queries for any number of scans)
scores exactly like the report's in-memory findings (:func:`score`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from itertools import chain
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Finding, RuleOutcome, RuleSpec, Severity
from failsafe.detections.scores import PostureScore, posture_score
from failsafe.detections.store.schemas import StoredFinding
from failsafe.inventory.model import Provider, Section, SectionStatus
from failsafe.reports.view import RuleCoverage

Assessed = Callable[[Section], bool]


def coverage(
    specs: Iterable[RuleSpec], provider: Provider, assessed: Assessed
) -> tuple[RuleCoverage, ...]:
    """Whether each rule of ``provider`` could run on a scan whose sections are ``assessed``."""
    result = []
    for spec in specs:
        if provider not in spec.providers:
            continue
        missing = [s for s in spec.requires if not assessed(s)]
        if spec.requires_any and not any(assessed(s) for s in spec.requires_any):
            missing.extend(spec.requires_any)
        status: Literal["evaluated", "not_assessed"] = "not_assessed" if missing else "evaluated"
        result.append(RuleCoverage(spec.id, status, dict(spec.controls)))
    return tuple(result)


def worst_open(stored: Iterable[StoredFinding]) -> dict[str, Severity]:
    """Per rule, the worst severity among its open findings (all the formula reads of them)."""
    worst: dict[str, Severity] = {}
    for item in stored:
        if item.status != "open":
            continue
        severity = Severity(item.severity)
        if item.rule_id not in worst or severity.rank < worst[item.rule_id].rank:
            worst[item.rule_id] = severity
    return worst


def rule_outcomes(
    rules: Iterable[RuleCoverage], worst: Mapping[str, Severity], specs: Mapping[str, RuleSpec]
) -> list[RuleOutcome]:
    """Rule outcomes rebuilt from coverage and the worst open severity per rule.

    A rule that fired stands for one open finding at its worst severity: the score depends on
    nothing else, so every outcome built here scores as the scan's full outcome would.
    """
    outcomes = []
    for rule in rules:
        spec = specs.get(rule.rule_id)
        if spec is None:
            continue
        severity = worst.get(rule.rule_id)
        fired = (
            (Finding(rule.rule_id, "", "", severity, spec.family, rule.rule_id),)
            if severity is not None and rule.status == "evaluated"
            else ()
        )
        outcomes.append(RuleOutcome(rule.rule_id, rule.status, fired))
    return outcomes


def score(
    rules: Iterable[RuleCoverage],
    stored: Iterable[StoredFinding],
    specs: Mapping[str, RuleSpec],
) -> int | None:
    """The overall posture score 0-100 (None when no rule could be assessed)."""
    return posture_score(rule_outcomes(rules, worst_open(stored), specs), specs).overall


_SECTIONS = text(
    "SELECT scan_id, provider, sections FROM inventory_tenants WHERE scan_id = ANY(:scans)"
)
_WORST = text(
    "SELECT scan_id, rule_id, min(severity_rank) AS rank FROM findings"
    " WHERE scan_id = ANY(:scans) AND status = 'open' GROUP BY scan_id, rule_id"
)


async def scan_outcomes(
    session: AsyncSession,
    scan_ids: Collection[uuid.UUID],
    specs: Mapping[str, RuleSpec] | None = None,
) -> dict[uuid.UUID, list[RuleOutcome]]:
    """The rebuilt rule outcomes of each stored scan, read under the session's RLS.

    A scan without a stored inventory is left out: nothing says which rules could run on it,
    and a score over no evidence would read as healthy.
    """
    if not scan_ids:
        return {}
    specs = specs if specs is not None else load_rule_specs()
    params = {"scans": list(scan_ids)}
    severities = list(Severity)
    worst: dict[uuid.UUID, dict[str, Severity]] = defaultdict(dict)
    for row in await session.execute(_WORST, params):
        worst[row.scan_id][row.rule_id] = severities[row.rank]
    found: dict[uuid.UUID, list[RuleOutcome]] = {}
    for row in await session.execute(_SECTIONS, params):
        collected = frozenset(
            s["name"] for s in row.sections if s.get("status") == SectionStatus.COLLECTED.value
        )
        # Sections are string enums: a section is assessed when its name was collected.
        rules = coverage(specs.values(), row.provider, collected.__contains__)
        found[row.scan_id] = rule_outcomes(rules, worst.get(row.scan_id, {}), specs)
    return found


def combined(
    outcomes: Iterable[Iterable[RuleOutcome]], specs: Mapping[str, RuleSpec] | None = None
) -> PostureScore:
    """One score over several tenants' scans: their assessed rules' weights simply add up.

    For a single scan this is that scan's score, the number its report prints.
    """
    specs = specs if specs is not None else load_rule_specs()
    return posture_score(chain.from_iterable(outcomes), specs)
