"""``failsafe scan --credentials``: a sandbox tenant collected without a database, with the
findings the rules give for it written beside the inventory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from failsafe.cli import app
from failsafe.sandbox import Sandbox, TenantSpec, ground_truth, running_sandbox

RISKY = TenantSpec(seed=41, users=120, profile="risky")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(RISKY) as running:
        yield running


def test_offline_scan_writes_inventory_and_the_planted_findings(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in sandbox.settings_overrides().items():
        monkeypatch.setenv(f"FAILSAFE_{name.upper()}", value)
    monkeypatch.setenv("FAILSAFE_DATA_DIR", str(tmp_path))
    tenant = sandbox.microsoft(RISKY)
    credentials = tmp_path / "tenant.json"
    credentials.write_text(json.dumps({"tenant_id": tenant.tenant_id}))
    out = tmp_path / "scan.json"
    sandbox.log.clear()

    result = CliRunner().invoke(
        app,
        ["scan", "--credentials", str(credentials), "--provider", "microsoft", "--out", str(out)],
    )

    assert result.exit_code == 0, result.output
    (scanned,) = json.loads(out.read_text())["scans"]
    assert len(scanned["inventory"]["identities"]) == RISKY.users
    found = {(f["rule_id"], f["subject"]) for f in scanned["findings"]}
    planted = {(p.rule_id, p.subject) for p in ground_truth(RISKY).microsoft}
    assert found == planted
    assert all(
        f["severity"] in {"critical", "high", "medium", "low", "info"} for f in scanned["findings"]
    )
    assert sandbox.log.only_reads()


def test_scan_needs_exactly_one_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAILSAFE_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["scan"])
    assert result.exit_code == 2
    assert "exactly one of --engagement or --credentials" in result.output
