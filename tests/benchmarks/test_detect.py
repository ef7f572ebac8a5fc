"""Smoke test of the detection benchmark at its smallest size: it runs end to end and prints
its figures. Timings are never asserted."""

from __future__ import annotations

import pytest

from benchmarks import detect


@pytest.mark.slow
def test_detect_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    detect.main(["--users", "200", "--repeat", "1"])

    out = capsys.readouterr().out
    for name in (
        "users",
        "rules",
        "findings",
        "seconds",
        "s per 1k users",
        "peak RSS MB",
        "linearity ratio",
        "50,000 users under 10 s",
    ):
        assert name in out, name
    row = next(line for line in out.splitlines() if line.lstrip().startswith("200 |"))
    users, rules, findings = (int(cell) for cell in row.split("|")[:3])
    assert users == 200 and rules > 0 and findings > 0  # the risky profile plants risks
