from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from failsafe.reports.render import RenderedReport
from tests.conftest import REPO
from tests.reports.conftest import known_view
from tests.reports.helpers import page_count, pdf_text

ARTIFACTS = REPO / "artifacts" / "report"

HEADINGS = (
    "Security posture report",
    "Executive summary",
    "Trend against earlier scans",
    "The five things to do first",
    "Findings by family and severity",
    "Shadow IT inventory",
    "Third-party apps and permissions",
    "Identity risks",
    "Licence waste",
    "NIST CSF 2.0",
    "CIS Controls v8",
    "SOC 2",
    "ISO/IEC 27001:2022",
    "Methodology and data access",
    "Permissions used",
    "What was read",
    "What was not read",
    "How findings are listed",
    "Sections not assessed",
    "Appendix: all findings",
)


def _flat(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", pdf_text(pdf))


@pytest.mark.parametrize("heading", HEADINGS)
def test_every_section_heading_is_present(known_report: RenderedReport, heading: str) -> None:
    assert heading in _flat(known_report.pdf)


def test_cover_shows_client_partner_date_and_scope(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    assert "Contoso Ltd" in text
    assert "Prepared by Northwind MSP" in text
    assert "Scan date: 30 November 2026" in text
    assert "Microsoft 365" in text and "tenant-guid-1" in text
    assert "2 of 3 collected" in text


def test_summary_figures(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    assert "Posture score: 64 / 100" in text
    assert "+13 since the previous scan (51)" in text
    assert "Critical 2" in text and "High 1" in text and "Medium 2" in text and "Low 2" in text
    assert "USD 42.50" in text and "USD 510.00 per year" in text


def test_top_actions_are_the_most_severe_rules(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    start = text.index("The five things to do first")
    actions = text[start : text.index("Findings by family and severity")]
    order = [actions.index(rule) for rule in ("AP-001", "ID-001", "SH-004")]
    assert order == sorted(order)
    assert "LW-001" not in actions  # six rules fired; the low one is the sixth
    assert "Fix AP-001." in actions


def test_family_table_and_counts(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    assert "Shadow IT 0 1 1 0 0 2" in text
    assert "Licences 0 0 0 2 0 2" in text


def test_framework_sections_list_controls_with_status(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    assert "PR.AA-05" in text and "Gaps found" in text
    assert "6.3 Require MFA for Externally- Exposed Applications No issues found" in text
    assert "5.3 Disable Dormant Accounts Improvements advised ID-005 (1): F-0005" in text
    assert "8.2 Privileged access rights Gaps found AP-001 (1): F-0001" in text


def test_methodology_lists_permissions_and_gaps(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    assert "User.Read.All" in text
    assert "email signals" in text and "Mail.ReadBasic.All not granted" in text
    assert "No mail subjects, bodies" in text


def test_appendix_lists_every_finding_with_evidence(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    appendix = text[text.index("Appendix: all findings") :]
    for ref in range(1, 8):
        assert f"F-{ref:04d}" in appendix
    assert "F-0008" not in appendix
    assert "Otter.ai holds Mail.Read for 12 users" in appendix
    assert "users: 3" in appendix and "Monthly cost: USD 30.00" in appendix


def test_appendix_groups_findings_by_rule(known_report: RenderedReport) -> None:
    """Each rule's title, description and fix print once; its findings follow as rows."""
    text = _flat(known_report.pdf)
    appendix = text[text.index("Appendix: all findings") :]
    assert "7 finding(s) under 6 rule heading(s)" in appendix
    assert "Low · LW-001 · Rule LW-001 Licences · 2 finding(s): F-0006 to F-0007" in appendix
    assert appendix.count("Why LW-001 matters.") == 1 and appendix.count("Fix LW-001.") == 1
    assert "F-0006 LW-001 sku-basic Monthly cost: USD 12.50 · users: 3" in appendix
    assert "F-0007 LW-001 sku-e3 Monthly cost: USD 30.00 · users: 3" in appendix
    # A subject the title does not already name is printed beside it.
    assert "F-0001 Otter.ai holds Mail.Read for 12 users · Subject: app-1" in appendix
    order = [appendix.index(f"· {rule} ·") for rule in ("AP-001", "SH-004", "ID-005", "LW-001")]
    assert order == sorted(order)  # most severe first


def test_family_sections_point_to_the_appendix(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    licences = text[text.index("Licence waste") : text.index("NIST CSF 2.0")]
    assert "Rule Severity Finding Count In the appendix" in licences
    assert "LW-001 Low Rule LW-001 2 F-0006 to F-0007" in licences
    identity = text[text.index("Identity risks") : text.index("Licence waste")]
    # A rule with one finding shows that finding's own title.
    assert "ID-001 Critical Admin admin@contoso.example has no MFA 1 F-0002" in identity


def test_methodology_states_how_evidence_is_summarised(known_report: RenderedReport) -> None:
    text = _flat(known_report.pdf)
    start = text.index("How findings are listed")
    method = text[start : text.index("Sections not assessed")]
    assert "names its first 3 entries and counts the rest" in method
    assert "complete evidence of every finding is in the portal" in method


def test_no_findings_and_no_score_render(tmp_path: Path) -> None:
    from failsafe.reports.render import render_pdf

    rendered = render_pdf(known_view(findings=(), score=None, trend=(), licenses=()))
    text = _flat(rendered.pdf)
    assert "No findings: nothing urgent to do." in text
    assert "n/a" in text and "USD 0.00" in text


def test_checksum_and_pages(known_report: RenderedReport) -> None:
    import hashlib

    assert hashlib.sha256(known_report.pdf).hexdigest() == known_report.sha256
    assert known_report.pages == page_count(known_report.pdf)
    assert known_report.refused_urls == ()


def test_first_page_renders_to_png(known_report: RenderedReport) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm missing: apt-get install -y poppler-utils")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "known.pdf"
    source.write_bytes(known_report.pdf)
    subprocess.run(
        [pdftoppm, "-png", "-r", "72", "-f", "1", "-l", "2", str(source), str(ARTIFACTS / "page")],
        check=True,
        timeout=60,
    )
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert pages and pages[0].read_bytes().startswith(b"\x89PNG")
    assert pages[0].stat().st_size > 5_000
    print(f"report page PNGs: {', '.join(str(p) for p in pages)}")
