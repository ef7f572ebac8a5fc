"""Ground truth: clean plants nothing, risky plants every rule of docs/rules.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from failsafe.cli import app
from failsafe.sandbox import RULE_IDS, TenantSpec, ground_truth

RULES_DOC = Path(__file__).parents[2] / "docs" / "rules.md"


def _documented_rule_ids() -> set[str]:
    return set(re.findall(r"^\| ([A-Z]{2}-\d{3}) \|", RULES_DOC.read_text(), re.MULTILINE))


def test_rule_ids_match_the_contract() -> None:
    assert set(RULE_IDS) == _documented_rule_ids()


def test_clean_plants_nothing() -> None:
    for users in (2, 50, 5000):
        truth = ground_truth(TenantSpec(seed=4, users=users, profile="clean"))
        assert truth.microsoft == () and truth.google == ()


def test_risky_covers_every_rule() -> None:
    truth = ground_truth(TenantSpec(seed=4, users=60, profile="risky"))
    assert truth.rule_ids() == _documented_rule_ids()


def test_subject_conventions() -> None:
    truth = ground_truth(TenantSpec(seed=4, users=60, profile="risky"))
    by_rule = {p.rule_id: p.subject for p in truth.microsoft}
    assert by_rule["ID-003"] == "tenant"
    assert "@" in by_rule["ID-001"]
    left, right = by_rule["LW-004"].split("+")
    assert left < right


def test_truth_json_round_trip() -> None:
    truth = ground_truth(TenantSpec(seed=4, users=60, profile="risky"))
    data = json.loads(truth.to_json())
    assert data["microsoft"]["tenant_id"] == truth.microsoft_tenant_id
    assert len(data["google"]["findings"]) == len(truth.google)


def test_cli_truth_prints_json() -> None:
    result = CliRunner().invoke(app, ["sandbox", "truth", "--users", "45", "--seed", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {f["rule_id"] for f in data["microsoft"]["findings"]} >= {"AP-007", "ID-009"}
