"""Every rule against sandbox tenants whose planted risks are known: the real connectors read
the simulator over loopback, the real rules judge the inventory, and the findings must be
exactly the planted set (precision and recall 1.0); a clean tenant yields none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from failsafe.connectors.collect import collect_tenant
from failsafe.connectors.google.auth import GoogleCredentials
from failsafe.connectors.graph.auth import GraphCredentials
from failsafe.connectors.plan import CollectionPlan
from failsafe.detections.engine import evaluate, findings_of
from failsafe.inventory.model import Inventory, Section
from failsafe.sandbox import Planted, Sandbox, TenantSpec, ground_truth, running_sandbox
from failsafe.settings import Settings

RISKY = TenantSpec(seed=41, users=120, profile="risky")
CLEAN = TenantSpec(seed=42, users=60, profile="clean")
Provider = Literal["microsoft", "google"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(RISKY, CLEAN) as running:
        yield running


def credentials(sandbox: Sandbox, spec: TenantSpec, provider: Provider) -> object:
    if provider == "microsoft":
        tenant = sandbox.microsoft(spec)
        return GraphCredentials(tenant.tenant_id, tenant.client_id, tenant.client_secret)
    google = sandbox.google(spec)
    return GoogleCredentials(dict(google.service_account), google.admin_email)


async def collect(sandbox: Sandbox, spec: TenantSpec, provider: Provider) -> Inventory:
    settings = Settings(_env_file=None, **sandbox.settings_overrides())  # type: ignore[arg-type]
    now = datetime.now(UTC)
    plan = CollectionPlan(now, now - timedelta(days=settings.scan_mail_lookback_days))
    collected = await collect_tenant(settings, credentials(sandbox, spec, provider), plan)  # type: ignore[arg-type]
    return collected.inventory


def found(inventory: Inventory) -> set[Planted]:
    return {Planted(f.rule_id, f.subject) for f in findings_of(evaluate(inventory))}


@pytest.mark.parametrize("provider", ["microsoft", "google"])
async def test_risky_tenant_yields_exactly_the_planted_findings(
    sandbox: Sandbox, provider: Provider
) -> None:
    truth = ground_truth(RISKY)
    expected = set(truth.microsoft if provider == "microsoft" else truth.google)
    assert expected, "the risky profile plants risks for both providers"

    got = found(await collect(sandbox, RISKY, provider))

    false_positives = sorted(got - expected)
    missed = sorted(expected - got)
    assert (false_positives, missed) == ([], [])


@pytest.mark.parametrize("provider", ["microsoft", "google"])
async def test_clean_tenant_yields_no_findings(sandbox: Sandbox, provider: Provider) -> None:
    inventory = await collect(sandbox, CLEAN, provider)
    # Google Workspace has no read-only equivalent of these two Entra settings.
    absent = {Section.CONSENT_POLICY, Section.CONDITIONAL_ACCESS} if provider == "google" else set()
    assert {s for s in inventory.sections if not inventory.assessed(s)} == absent
    assert sorted(found(inventory)) == []


def test_every_rule_is_planted_somewhere() -> None:
    from failsafe.detections.engine import rule_specs

    truth = ground_truth(RISKY)
    assert {spec.id for spec in rule_specs()} == set(truth.rule_ids())
