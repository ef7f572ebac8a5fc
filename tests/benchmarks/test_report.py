"""Smoke test of the report benchmark at its smallest size: a stored scan with 20 findings is
built and rendered in a child process and its figures are printed. Timings are never asserted."""

from __future__ import annotations

import pytest

from benchmarks import report


@pytest.mark.slow
def test_report_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    report.main(["--findings", "20"])

    out = capsys.readouterr().out
    for name in (
        "findings",
        "pages",
        "seconds",
        "s per 1k findings",
        "peak RSS MB",
        "growth ratio",
        "1,000 findings under 10 s",
    ):
        assert name in out, name
    row = next(line for line in out.splitlines() if line.lstrip().startswith("20 |"))
    findings, pages = (int(cell) for cell in row.split("|")[:2])
    assert findings == 20 and pages > 0  # every seeded finding reached the view under RLS


def test_scaled_findings_are_distinct() -> None:
    from failsafe.detections.model import Family, Finding, Severity, fingerprint

    base = [
        Finding("AP-001", "app-1", "Otter holds Mail.Read", Severity.CRITICAL,
                Family.APP_PERMISSIONS, fingerprint("AP-001", "t", "app-1")),
        Finding("ID-001", "ada@x.test", "Admin ada@x.test has no MFA", Severity.CRITICAL,
                Family.IDENTITY, fingerprint("ID-001", "t", "ada@x.test")),
    ]  # fmt: skip
    scaled = report.scaled_findings(base, 5, "t")
    assert len(scaled) == 5
    assert len({f.fingerprint for f in scaled}) == 5
    assert all(f.fingerprint == fingerprint(f.rule_id, "t", f.subject) for f in scaled)
    assert any(f.title == "Admin ada@x.test-1 has no MFA" for f in scaled)
