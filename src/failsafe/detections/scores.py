"""Posture scores per family and overall, and per-framework control results.

The formula is explained in docs/scoring.md; in short, each assessed rule carries a weight by
its severity, a rule with open findings loses its weight (at the severity it fired with), and a
score is the share of weight kept, 0-100. Rules that could not run count for nothing either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from failsafe.detections.model import Family, Framework, RuleOutcome, RuleSpec, Severity

# Iterating an enum class is slow next to a tuple; the portal sums weights for every row it shows.
_FAMILIES = tuple(Family)

WEIGHTS: dict[Severity, int] = {
    Severity.CRITICAL: 10,
    Severity.HIGH: 6,
    Severity.MEDIUM: 3,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


@dataclass(frozen=True)
class PostureScore:
    """Scores 0-100 (None when nothing in the family could be assessed)."""

    overall: int | None
    families: dict[Family, int | None]


@dataclass(frozen=True)
class ControlResult:
    framework: Framework
    control_id: str
    status: str  # "pass" | "fail" | "not_assessed"
    rules: tuple[str, ...]
    failing_rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameworkResult:
    framework: Framework
    controls: tuple[ControlResult, ...]
    passed: int = 0
    failed: int = 0
    not_assessed: int = 0
    by_status: dict[str, list[str]] = field(default_factory=dict)


def _open(outcome: RuleOutcome, open_fingerprints: frozenset[str] | None) -> list[Severity]:
    return [
        f.severity
        for f in outcome.findings
        if open_fingerprints is None or f.fingerprint in open_fingerprints
    ]


def _score(kept: int, total: int) -> int | None:
    if total == 0:
        return None
    return max(0, min(100, round(100 * kept / total)))


@dataclass(frozen=True)
class Weights:
    """Per family, the weight of the assessed rules and the part of it lost to open findings.

    Everything a score depends on: weights of several scans (an engagement's tenants) simply add
    up, and :meth:`score` turns any sum into family and overall scores. Stored per scan in
    ``scan_summaries`` so the portal never re-reads findings to draw a score.
    """

    assessed: Mapping[Family, int]
    lost: Mapping[Family, int]

    @classmethod
    def total(cls, parts: Iterable[Weights]) -> Weights:
        """The sum of ``parts`` (zero weights when empty)."""
        assessed: dict[Family, int] = dict.fromkeys(_FAMILIES, 0)
        lost: dict[Family, int] = dict.fromkeys(_FAMILIES, 0)
        for part in parts:
            for family in _FAMILIES:
                assessed[family] += part.assessed.get(family, 0)
                lost[family] += part.lost.get(family, 0)
        return cls(assessed, lost)

    def score(self) -> PostureScore:
        """Family and overall scores: the share of assessed weight kept, 0-100."""
        assessed = {f: self.assessed.get(f, 0) for f in _FAMILIES}
        lost = {f: self.lost.get(f, 0) for f in _FAMILIES}
        families = {f: _score(assessed[f] - lost[f], assessed[f]) for f in _FAMILIES}
        overall = _score(sum(assessed.values()) - sum(lost.values()), sum(assessed.values()))
        return PostureScore(overall=overall, families=families)


def rule_weights(
    outcomes: Iterable[RuleOutcome],
    specs: Mapping[str, RuleSpec],
    *,
    open_fingerprints: frozenset[str] | None = None,
) -> Weights:
    """Assessed and lost weight per family of one or more scans' outcomes.

    ``open_fingerprints``: when given, only findings still open count (accepted or resolved
    ones do not lower the score).
    """
    totals: dict[Family, int] = dict.fromkeys(_FAMILIES, 0)
    lost: dict[Family, int] = dict.fromkeys(_FAMILIES, 0)
    for outcome in outcomes:
        if outcome.status != "evaluated":
            continue
        spec = specs[outcome.rule_id]
        open_severities = _open(outcome, open_fingerprints)
        # A rule that fires above its default severity costs that much, never more than it is
        # worth at its worst: the total grows with it so a score cannot go below zero.
        worst = min(open_severities, key=lambda s: s.rank) if open_severities else None
        weight = max(WEIGHTS[spec.severity], WEIGHTS[worst] if worst else 0)
        totals[spec.family] += weight
        if worst is not None:
            lost[spec.family] += weight
    return Weights(totals, lost)


def posture_score(
    outcomes: Iterable[RuleOutcome],
    specs: Mapping[str, RuleSpec],
    *,
    open_fingerprints: frozenset[str] | None = None,
) -> PostureScore:
    """Family and overall scores from one scan's outcomes.

    ``open_fingerprints``: when given, only findings still open count (accepted or resolved
    ones do not lower the score).
    """
    return rule_weights(outcomes, specs, open_fingerprints=open_fingerprints).score()


def framework_results(
    outcomes: Iterable[RuleOutcome],
    specs: Mapping[str, RuleSpec],
    *,
    open_fingerprints: frozenset[str] | None = None,
) -> dict[Framework, FrameworkResult]:
    """Per framework, every control the rules touch: pass, fail or not assessed.

    A control passes when every assessed rule mapped to it produced no open finding, fails
    when one did, and is not assessed when none of its rules could run.
    """
    by_rule = {o.rule_id: o for o in outcomes}
    results: dict[Framework, FrameworkResult] = {}
    for framework in Framework:
        mapped: dict[str, list[str]] = {}
        for spec in specs.values():
            for control_id in spec.controls.get(framework, ()):
                mapped.setdefault(control_id, []).append(spec.id)
        controls = []
        for control_id in sorted(mapped, key=_control_key):
            rules = tuple(sorted(mapped[control_id]))
            assessed = [r for r in rules if r in by_rule and by_rule[r].status == "evaluated"]
            failing = tuple(r for r in assessed if _open(by_rule[r], open_fingerprints))
            status = "not_assessed" if not assessed else ("fail" if failing else "pass")
            controls.append(ControlResult(framework, control_id, status, rules, failing))
        by_status: dict[str, list[str]] = {"pass": [], "fail": [], "not_assessed": []}
        for control in controls:
            by_status[control.status].append(control.control_id)
        results[framework] = FrameworkResult(
            framework,
            tuple(controls),
            passed=len(by_status["pass"]),
            failed=len(by_status["fail"]),
            not_assessed=len(by_status["not_assessed"]),
            by_status=by_status,
        )
    return results


def _control_key(control_id: str) -> tuple[object, ...]:
    """Sort 2.10 after 2.9 and CC6.10 after CC6.9."""
    parts: list[object] = []
    for piece in control_id.replace("-", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)
