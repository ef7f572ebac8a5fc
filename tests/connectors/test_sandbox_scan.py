"""Full collections against the sandbox simulator over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from failsafe.connectors.collect import collect_tenant
from failsafe.connectors.google.auth import GoogleCredentials
from failsafe.connectors.graph.auth import GraphCredentials
from failsafe.connectors.plan import CollectionPlan
from failsafe.inventory.model import Section, SectionStatus
from failsafe.sandbox import Fault, Sandbox, TenantSpec, running_sandbox
from failsafe.settings import Settings
from tests.connectors.conftest import SleepRecorder


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(TenantSpec(seed=3, users=60, profile="risky")) as running:
        yield running


@pytest.fixture
def settings(sandbox: Sandbox, tmp_path: Path) -> Settings:
    ms = sandbox.microsoft()
    overrides: dict[str, object] = {
        "microsoft_client_id": ms.client_id,
        "microsoft_client_secret": ms.client_secret,
        "scan_concurrency": 4,
        "http_max_retries": 3,
        **sandbox.settings_overrides(),
    }
    return Settings(_env_file=None, data_dir=tmp_path, **overrides)  # type: ignore[call-arg,arg-type]


def _graph(sandbox: Sandbox) -> GraphCredentials:
    ms = sandbox.microsoft()
    return GraphCredentials(ms.tenant_id, ms.client_id, ms.client_secret)


def _google(sandbox: Sandbox) -> GoogleCredentials:
    demo = sandbox.google()
    return GoogleCredentials(dict(demo.service_account), demo.admin_email)


def _statuses(inventory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {s.value: r.status.value for s, r in inventory.sections.items()}


async def test_full_graph_scan_is_complete_and_read_only(
    sandbox: Sandbox, settings: Settings, plan: CollectionPlan, sleeps: SleepRecorder
) -> None:
    sandbox.log.clear()
    inv = (await collect_tenant(settings, _graph(sandbox), plan, sleep=sleeps)).inventory
    assert set(_statuses(inv).values()) == {"collected"}, inv.sections
    assert len(inv.identities) == 60
    assert inv.apps and inv.grants and inv.app_usage and inv.email_signals
    assert any(g.kind == "application" for g in inv.grants)
    assert sandbox.log.only_reads()
    assert sandbox.state.mail_content_requests == []  # never selected subject or body


async def test_full_google_scan_is_complete_and_read_only(
    sandbox: Sandbox, settings: Settings, plan: CollectionPlan, sleeps: SleepRecorder
) -> None:
    sandbox.log.clear()
    inv = (await collect_tenant(settings, _google(sandbox), plan, sleep=sleeps)).inventory
    expected_gaps = {"consent_policy", "conditional_access"}
    collected = {k for k, v in _statuses(inv).items() if v == "collected"}
    assert collected == set(_statuses(inv)) - expected_gaps, inv.sections
    assert len(inv.identities) == 60 and inv.grants and inv.email_signals
    assert sandbox.log.count("/google/batch") > 0
    assert sandbox.log.only_reads()


@pytest.mark.parametrize("kind", ["throttle", "unavailable", "reset", "malformed", "slow"])
async def test_sandbox_faults_end_in_success(
    sandbox: Sandbox, settings: Settings, plan: CollectionPlan, sleeps: SleepRecorder, kind: str
) -> None:
    sandbox.faults.clear()
    sandbox.faults.add(Fault("graph", "/users", kind, nth=(1, 2), delay_ms=50))
    try:
        inv = (await collect_tenant(settings, _graph(sandbox), plan, sleep=sleeps)).inventory
    finally:
        sandbox.faults.clear()
    assert inv.assessed(Section.USERS) and len(inv.identities) == 60


async def test_sandbox_token_expiry_mid_scan(
    sandbox: Sandbox, settings: Settings, plan: CollectionPlan, sleeps: SleepRecorder
) -> None:
    sandbox.faults.clear()
    sandbox.faults.add(Fault("graph", "/servicePrincipals", "unauthorized", nth=(1,)))
    try:
        inv = (await collect_tenant(settings, _graph(sandbox), plan, sleep=sleeps)).inventory
    finally:
        sandbox.faults.clear()
    assert all(r.status is SectionStatus.COLLECTED for r in inv.sections.values())
