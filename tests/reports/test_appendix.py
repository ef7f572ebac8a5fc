"""The appendix: every finding, grouped by rule, in a structure WeasyPrint lays out cheaply."""

from __future__ import annotations

import dataclasses
import re

from failsafe.detections.model import Family, Severity
from failsafe.reports import synthetic
from failsafe.reports.derive import order_findings
from failsafe.reports.findings import appendix_groups
from failsafe.reports.render import layout, render_html
from failsafe.reports.view import FindingView
from tests.reports.conftest import known_finding, known_view
from tests.reports.helpers import box_overflow


def _finding(rule: str, severity: Severity, subject: str, **changes: object) -> FindingView:
    return dataclasses.replace(known_finding(rule, Family.IDENTITY, severity, subject), **changes)


def test_groups_follow_report_order_with_contiguous_refs() -> None:
    findings = [
        _finding("ID-001", Severity.CRITICAL, "b@x.test"),
        _finding("ID-003", Severity.MEDIUM, "tenant"),
        _finding("ID-001", Severity.CRITICAL, "a@x.test"),
        _finding("ID-001", Severity.HIGH, "c@x.test"),  # a rule that raised two severities
    ]
    groups = appendix_groups(order_findings(findings))
    assert [(g.rule_id, g.severity, g.count, g.refs) for g in groups] == [
        ("ID-001", Severity.CRITICAL, 2, "F-0001 to F-0002"),
        ("ID-001", Severity.HIGH, 1, "F-0003"),
        ("ID-003", Severity.MEDIUM, 1, "F-0004"),
    ]
    first = groups[0]
    assert first.title == "Rule ID-001" and first.description == "Why ID-001 matters."
    assert first.remediations == ("Fix ID-001.",)
    assert [row.title for row in first.rows] == ["ID-001 a@x.test", "ID-001 b@x.test"]


def test_rows_carry_subject_cost_tenant_and_status_only_when_they_add_something() -> None:
    findings = [
        _finding("LW-001", Severity.LOW, "sku-e3", title="Unused E3 seats", monthly_cost=30.0),
        _finding("LW-001", Severity.LOW, "sku-e5", title="sku-e5 seats", change="unchanged"),
    ]
    (group,) = appendix_groups(order_findings(findings), "EUR")
    e3, e5 = group.rows
    assert e3.subject == "sku-e3" and e5.subject is None  # the title already names it
    assert e3.evidence == "Monthly cost: EUR 30.00 · users: 3"
    assert e5.change == "unchanged" and e5.evidence == "users: 3"
    other_tenant = [*findings, _finding("LW-001", Severity.LOW, "sku-f1", tenant="Fabrikam")]
    rows = appendix_groups(order_findings(other_tenant))[0].rows
    assert all(row.evidence.startswith("Tenant: ") for row in rows)


def test_views_without_rule_titles_fall_back_to_the_finding() -> None:
    lone = _finding("ID-009", Severity.HIGH, "tenant", rule_title="", title="MFA is off")
    pair = [_finding("ID-001", Severity.CRITICAL, s, rule_title="") for s in ("a", "b")]
    groups = appendix_groups(order_findings([lone, *pair]))
    assert [g.title for g in groups] == ["", "MFA is off"]
    html = render_html(known_view(findings=(lone, *pair)))
    assert "Critical</span> · ID-001</h3>" in html


def _appendix(html: str) -> str:
    return html[html.index('id="appendix"') :]


def test_rule_text_is_printed_once_per_rule() -> None:
    view = synthetic.view(400)
    appendix = _appendix(render_html(view))
    rules = {f.rule_id for f in view.findings}
    assert appendix.count("Review the subject and remove what is not needed.") == len(rules)
    for f in view.findings[:50]:
        assert f.title in appendix


def test_appendix_markup_per_finding_is_two_plain_paragraphs() -> None:
    """The layout cost guard: WeasyPrint's time grows with the elements and lines per finding,
    so each finding is two paragraphs with no tables, spans or inline-blocks inside them."""
    view = synthetic.view(300)
    appendix = _appendix(render_html(view))
    rows = re.findall(r'<p class="f">.*?</p>\s*<p class="e">.*?</p>', appendix, re.S)
    assert len(rows) == 300
    for row in rows:
        tags = set(re.findall(r"<(\w+)", row)) - {"p", "wbr"}
        assert not tags, row
    assert "<table" not in appendix and "style=" not in appendix


def test_section_tables_grow_with_rules_not_findings() -> None:
    """Only the appendix lists findings one by one; the sections before it list rules."""

    def before_appendix(count: int) -> str:
        view = synthetic.view(count)
        html = render_html(known_view(findings=view.findings, rules=view.rules))
        return html[: html.index('id="appendix"')]

    small, large = before_appendix(len(synthetic.RULES)), before_appendix(2_000)
    assert small.count("<tr") == large.count("<tr")


def test_right_to_left_values_are_isolated_in_the_appendix() -> None:
    admin, shalom, mudir = (
        "\u05de\u05e0\u05d4\u05dc",
        "\u05e9\u05dc\u05d5\u05dd",
        "\u0645\u062f\u064a\u0631",
    )
    finding = _finding(
        "ID-001", Severity.CRITICAL, f"{admin}@x.test", title=f"Admin {admin}@x.test has no MFA",
        evidence={"display_name": shalom, "roles": [mudir, "Global Administrator"]},
    )  # fmt: skip
    view = known_view(findings=(finding,))
    appendix = _appendix(render_html(view))
    assert f"\u2068Admin {admin}@x.test has no MFA\u2069" in appendix
    assert f"display name: \u2068{shalom}\u2069 · roles: \u2068{mudir}\u2069, Global" in appendix
    document, _ = layout(view)
    assert box_overflow(document) == []
