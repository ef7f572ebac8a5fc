"""Figures derived from a :class:`~failsafe.reports.view.ReportView`: pure, shared with the portal.

Everything the report prints that is not a stored fact is computed here once per render: the
finding order and reference numbers, counts per severity and family, the five things to do
first, licence savings and the per-framework control status.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from failsafe.detections.model import Family, Framework, Severity
from failsafe.reports.controls import FRAMEWORK_NAMES, control_sort_key, control_title
from failsafe.reports.view import FindingView, ReportView, RuleCoverage

ControlState = Literal["gaps", "advised", "no_issues", "not_assessed"]
# How many finding references a control lists before "and N more": the appendix has them all,
# and a control behind thousands of findings must not turn one table cell into pages.
REFS_PER_RULE = 5
TOP_ACTIONS = 5


@dataclass(frozen=True, slots=True)
class NumberedFinding:
    """A finding with its reference number (F-0001...) in report order."""

    ref: str
    finding: FindingView


@dataclass(frozen=True, slots=True)
class Action:
    """One of the things to do first: a rule, how many findings it has, and the fix."""

    rule_id: str
    severity: Severity
    title: str
    count: int
    remediation: str
    first_ref: str


@dataclass(frozen=True, slots=True)
class RuleEvidence:
    """The findings of one rule behind one control."""

    rule_id: str
    severity: Severity
    count: int
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ControlStatus:
    control_id: str
    title: str
    state: ControlState
    rules: tuple[RuleEvidence, ...]


@dataclass(frozen=True, slots=True)
class FrameworkSection:
    framework: Framework
    name: str
    controls: tuple[ControlStatus, ...]

    def count(self, state: ControlState) -> int:
        """How many controls are in ``state``."""
        return sum(1 for c in self.controls if c.state == state)


def order_findings(findings: Iterable[FindingView]) -> list[NumberedFinding]:
    """Most severe first, then family, rule and subject; numbered F-0001 onwards."""
    family_order = {f: i for i, f in enumerate(Family)}
    ordered = sorted(
        findings,
        key=lambda f: (f.severity.rank, family_order[f.family], f.rule_id, f.subject),
    )
    return [NumberedFinding(f"F-{i:04d}", f) for i, f in enumerate(ordered, start=1)]


def severity_counts(findings: Iterable[FindingView]) -> dict[Severity, int]:
    """Findings per severity, every severity present."""
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in Severity}


def family_counts(findings: Iterable[FindingView]) -> dict[Family, dict[Severity, int]]:
    """Findings per family and severity, every cell present."""
    table = {f: dict.fromkeys(Severity, 0) for f in Family}
    for finding in findings:
        table[finding.family][finding.severity] += 1
    return table


def top_actions(numbered: Sequence[NumberedFinding], limit: int = TOP_ACTIONS) -> list[Action]:
    """The rules to act on first: worst severity, then most findings, one entry per rule."""
    groups: dict[str, list[NumberedFinding]] = defaultdict(list)
    for item in numbered:
        groups[item.finding.rule_id].append(item)
    ranked = sorted(
        groups.values(),
        key=lambda g: (min(i.finding.severity.rank for i in g), -len(g), g[0].finding.rule_id),
    )
    actions = []
    for group in ranked[:limit]:
        first = group[0].finding
        title = first.title if len(group) == 1 else f"{first.title} (and {len(group) - 1} more)"
        actions.append(
            Action(
                first.rule_id, first.severity, title, len(group), first.remediation, group[0].ref
            )
        )
    return actions


def monthly_savings(view: ReportView) -> float:
    """What the licence waste costs per month, at list price or the engagement's override."""
    return round(sum(line.monthly_cost for line in view.licenses), 2)


def _state(rules: Sequence[RuleEvidence], coverage: Sequence[RuleCoverage]) -> ControlState:
    if any(r.severity in (Severity.CRITICAL, Severity.HIGH) for r in rules):
        return "gaps"
    if rules:
        return "advised"
    if any(c.status == "evaluated" for c in coverage):
        return "no_issues"
    return "not_assessed"


def framework_sections(
    view: ReportView, numbered: Sequence[NumberedFinding]
) -> list[FrameworkSection]:
    """For each framework, every control a finding or an evaluated rule touches."""
    sections = []
    for framework in Framework:
        hits: dict[str, dict[str, list[NumberedFinding]]] = defaultdict(lambda: defaultdict(list))
        for item in numbered:
            for control in item.finding.controls.get(framework, ()):
                hits[control][item.finding.rule_id].append(item)
        coverage: dict[str, list[RuleCoverage]] = defaultdict(list)
        for rule in view.rules:
            for control in rule.controls.get(framework, ()):
                coverage[control].append(rule)
        controls = []
        for control_id in sorted(set(hits) | set(coverage), key=control_sort_key):
            rules = tuple(
                RuleEvidence(
                    rule_id,
                    min((i.finding.severity for i in items), key=lambda s: s.rank),
                    len(items),
                    tuple(i.ref for i in items[:REFS_PER_RULE]),
                )
                for rule_id, items in sorted(hits.get(control_id, {}).items())
            )
            controls.append(
                ControlStatus(
                    control_id,
                    control_title(framework, control_id),
                    _state(rules, coverage.get(control_id, [])),
                    rules,
                )
            )
        sections.append(FrameworkSection(framework, FRAMEWORK_NAMES[framework], tuple(controls)))
    return sections
