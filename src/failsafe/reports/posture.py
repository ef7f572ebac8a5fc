"""Rule coverage and the posture score of a stored scan, by the detections package's formula.

Rule outcomes are not stored, only findings; a rule's outcome is rebuilt from the scan's
sections (which tell whether the rule could run, exactly as the engine decides it) and its stored
findings. The score is then :func:`failsafe.detections.scores.posture_score` with only open
findings counting, the same number the portal shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Literal

from failsafe.detections.model import Family, Finding, RuleOutcome, RuleSpec, Severity
from failsafe.detections.scores import posture_score
from failsafe.detections.store.schemas import StoredFinding
from failsafe.inventory.model import Provider, Section
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


def _finding(stored: StoredFinding) -> Finding:
    return Finding(
        rule_id=stored.rule_id,
        subject=stored.subject,
        title="",
        severity=Severity(stored.severity),
        family=Family(stored.family),
        fingerprint=stored.fingerprint,
    )


def score(
    rules: Iterable[RuleCoverage],
    stored: Iterable[StoredFinding],
    specs: Mapping[str, RuleSpec],
) -> int | None:
    """The overall posture score 0-100 (None when no rule could be assessed)."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    open_fingerprints: set[str] = set()
    for item in stored:
        by_rule[item.rule_id].append(_finding(item))
        if item.status == "open":
            open_fingerprints.add(item.fingerprint)
    outcomes = [
        RuleOutcome(rule.rule_id, rule.status, tuple(by_rule.get(rule.rule_id, ())))
        for rule in rules
        if rule.rule_id in specs
    ]
    return posture_score(outcomes, specs, open_fingerprints=frozenset(open_fingerprints)).overall
