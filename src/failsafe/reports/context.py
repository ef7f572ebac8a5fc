"""The template context: a view model plus everything derived from it, computed once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from failsafe.charts import family_breakdown, score_gauge, severity_bars, trend_line
from failsafe.detections.model import Family, Severity
from failsafe.reports import derive
from failsafe.reports.view import ReportView

# Section tables stop after this many rows and point to the appendix, which lists every
# finding: a 10,000-finding scan must not print each one twice.
SECTION_ROWS = 100


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """One rule's findings inside a family: for the findings-by-family tables."""

    rule_id: str
    title: str
    severity: Severity
    count: int
    first_ref: str


@dataclass(frozen=True, slots=True)
class Gap:
    """A section of one tenant that was not assessed, and why."""

    tenant: str
    section: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReportContext:
    view: ReportView
    findings: list[derive.NumberedFinding]
    by_family: dict[Family, list[derive.NumberedFinding]]
    rule_groups: dict[Family, list[RuleGroup]]
    severity: dict[Severity, int]
    families: dict[Family, dict[Severity, int]]
    actions: list[derive.Action]
    frameworks: list[derive.FrameworkSection]
    monthly_savings: float
    yearly_savings: float
    previous_score: int | None
    gaps: list[Gap]
    gauge: Markup
    severity_chart: Markup
    family_chart: Markup
    trend_chart: Markup
    logo_url: str | None
    section_rows: int = SECTION_ROWS


def _rule_groups(items: list[derive.NumberedFinding]) -> list[RuleGroup]:
    groups: dict[str, list[derive.NumberedFinding]] = defaultdict(list)
    for item in items:
        groups[item.finding.rule_id].append(item)
    result = [
        RuleGroup(rule_id, g[0].finding.title, g[0].finding.severity, len(g), g[0].ref)
        for rule_id, g in groups.items()
    ]
    return sorted(result, key=lambda r: (r.severity.rank, -r.count, r.rule_id))


def build_context(view: ReportView, logo_url: str | None = None) -> ReportContext:
    """Derive every figure the templates print from ``view``."""
    numbered = derive.order_findings(view.findings)
    by_family: dict[Family, list[derive.NumberedFinding]] = {f: [] for f in Family}
    for item in numbered:
        by_family[item.finding.family].append(item)
    severity = derive.severity_counts(view.findings)
    families = derive.family_counts(view.findings)
    monthly = derive.monthly_savings(view)
    earlier = [p for p in view.trend if p.scan_id != view.scan_id]
    gaps = [
        Gap(t.display_name, s.section, s.reason or "not reported")
        for t in view.tenants
        for s in t.sections
        if s.state == "not_assessed"
    ]
    trend = [(p.finished_at.strftime("%d %b %y"), p.score) for p in view.trend]
    return ReportContext(
        view=view,
        findings=numbered,
        by_family=by_family,
        rule_groups={f: _rule_groups(items) for f, items in by_family.items()},
        severity=severity,
        families=families,
        actions=derive.top_actions(numbered),
        frameworks=derive.framework_sections(view, numbered),
        monthly_savings=monthly,
        yearly_savings=round(monthly * 12, 2),
        previous_score=earlier[-1].score if earlier else None,
        gaps=gaps,
        gauge=score_gauge(view.score),
        severity_chart=severity_bars(severity),
        family_chart=family_breakdown(families),
        trend_chart=trend_line(trend),
        logo_url=logo_url,
    )
