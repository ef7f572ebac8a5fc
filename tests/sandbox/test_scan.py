"""The real connectors scan the sandbox: only reads go out, and the inventory shows what the
profile planted (clean: nothing the rules of docs/rules.md would flag)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from failsafe.connectors.collect import collect_tenant
from failsafe.connectors.google.auth import GoogleCredentials
from failsafe.connectors.graph.auth import GraphCredentials
from failsafe.connectors.plan import CollectionPlan
from failsafe.inventory.model import Identity, Inventory, Section, SectionStatus
from failsafe.sandbox import Fault, Sandbox, TenantSpec, running_sandbox
from failsafe.settings import Settings

PHISHING_RESISTANT = {"fido2", "security_key", "passkey", "windowsHelloForBusiness"}


async def _no_sleep(_seconds: float) -> None:
    return None


def _scan(sandbox: Sandbox, provider: str) -> Inventory:
    settings = Settings(**sandbox.settings_overrides())  # type: ignore[arg-type]
    now = datetime.now(UTC)
    plan = CollectionPlan(started_at=now, mail_since=now - timedelta(days=90))
    if provider == "microsoft":
        ms = sandbox.microsoft()
        creds: GraphCredentials | GoogleCredentials = GraphCredentials(
            ms.tenant_id, ms.client_id, ms.client_secret
        )
    else:
        google = sandbox.google()
        creds = GoogleCredentials(google.service_account, google.admin_email)
    return asyncio.run(collect_tenant(settings, creds, plan, sleep=_no_sleep)).inventory


@pytest.fixture(scope="module")
def clean() -> Iterator[tuple[Sandbox, Inventory, Inventory]]:
    with running_sandbox(TenantSpec(seed=7, users=80, profile="clean")) as sandbox:
        yield sandbox, _scan(sandbox, "microsoft"), _scan(sandbox, "google")


@pytest.fixture(scope="module")
def risky() -> Iterator[tuple[Sandbox, Inventory, Inventory]]:
    with running_sandbox(TenantSpec(seed=8, users=60, profile="risky")) as sandbox:
        yield sandbox, _scan(sandbox, "microsoft"), _scan(sandbox, "google")


def _stale(identity: Identity, now: datetime, days: int = 90) -> bool:
    if not identity.enabled:
        return False
    if identity.last_sign_in_at is None:
        return identity.created_at is not None and identity.created_at < now - timedelta(days)
    return identity.last_sign_in_at < now - timedelta(days)


def test_a_full_scan_sends_only_reads(clean: tuple[Sandbox, Inventory, Inventory]) -> None:
    sandbox, _, _ = clean
    assert sandbox.log.only_reads()
    assert sandbox.state.mail_content_requests == []
    assert sandbox.log.count("/graph/v1.0/$batch") > 0
    assert sandbox.log.count("/google/batch") > 0


def test_clean_sections_are_collected(clean: tuple[Sandbox, Inventory, Inventory]) -> None:
    _, ms, google = clean
    assert all(r.status is SectionStatus.COLLECTED for r in ms.sections.values())
    missing = {s for s, r in google.sections.items() if r.status is not SectionStatus.COLLECTED}
    assert {str(s) for s in missing} == {"consent_policy", "conditional_access"}


def test_clean_identities_trigger_no_identity_rule(
    clean: tuple[Sandbox, Inventory, Inventory],
) -> None:
    for inventory in clean[1:]:
        now = inventory.collected_at
        enabled = [i for i in inventory.identities if i.enabled]
        assert all(i.mfa_registered for i in enabled)
        assert not any(_stale(i, now) for i in enabled)
        admins = {a.user for a in inventory.role_assignments}
        globals_ = {a.user for a in inventory.role_assignments if a.is_global_admin}
        assert 2 <= len(globals_) <= 4
        by_email = {i.email: i for i in inventory.identities}
        for email in admins:
            admin = by_email[email]
            assert admin.enabled and admin.kind == "member"
            assert set(admin.mfa_methods) & PHISHING_RESISTANT
            assert not _stale(admin, now, 45)
        licensed = {a.user for a in inventory.license_assignments}
        assert not licensed & globals_
        assert not any(u.legacy_auth for u in inventory.app_usage)
        assert inventory.email_signals == []


def test_clean_apps_policies_and_licenses(clean: tuple[Sandbox, Inventory, Inventory]) -> None:
    _, ms, google = clean
    assert all(app.first_party for app in ms.apps)
    assert all(app.first_party for app in google.apps)
    assert ms.policies.users_can_consent is False
    policies = ms.policies.conditional_access or ()
    enabled = [p for p in policies if p.state == "enabled" and p.all_users]
    assert any(p.requires_mfa for p in enabled) and any(p.blocks_legacy_auth for p in enabled)
    assert google.policies.two_step_enforced is True
    for sku in ms.license_skus:
        assert sku.purchased is not None
        assert sku.sku_name == "FLOW_FREE" or sku.purchased == sku.assigned


def test_risky_inventory_shows_the_plants(risky: tuple[Sandbox, Inventory, Inventory]) -> None:
    sandbox, ms, google = risky
    truth = sandbox.truth()
    subjects = {p.rule_id: p.subject for p in truth.microsoft}
    by_email = {i.email: i for i in ms.identities}
    assert by_email[subjects["ID-001"]].mfa_registered is False
    assert by_email[subjects["ID-001"]].is_admin
    assert not by_email[subjects["ID-006"]].enabled
    assert by_email[subjects["ID-007"]].kind == "guest"
    app_only = {g.app_id for g in ms.grants if g.kind == "application"}
    assert subjects["AP-004"] in app_only
    assert any(u.legacy_auth for u in ms.app_usage)
    assert ms.policies.users_can_consent is True
    vendors = {s.vendor_domain for s in ms.email_signals}
    assert {"notion.so", "slack.com", "tldv.io", "wetransfer.com"} <= vendors
    kinds = {(s.vendor_domain, s.kind) for s in google.email_signals}
    assert ("slack.com", "billing") in kinds and ("notion.so", "signup") in kinds
    google_subjects = {p.rule_id: p.subject for p in truth.google}
    assert google_subjects["AP-008"] in {a.app_id for a in google.apps}
    assert google_subjects["AP-008"] in {g.app_id for g in google.grants if g.kind == "domain_wide"}
    assert google.policies.two_step_enforced is False
    assert sandbox.log.only_reads()


def test_scan_survives_scheduled_faults() -> None:
    spec = TenantSpec(seed=12, users=90, profile="clean")
    with running_sandbox(spec) as sandbox:
        faults = [
            sandbox.faults.add(Fault("graph", "/users", "throttle", nth=(1,), exact=True)),
            sandbox.faults.add(Fault("graph", "/subscribedSkus", "reset", nth=(1,))),
            sandbox.faults.add(
                Fault("graph", "/directoryRoles", "malformed", nth=(1,), exact=True)
            ),
            sandbox.faults.add(Fault("graph", "/users/", "throttle", nth=(2,))),  # a mailbox
            sandbox.faults.add(
                Fault("google", "/admin/directory/v1/users", "unavailable", nth=(1,), exact=True)
            ),
            sandbox.faults.add(Fault("google", "/gmail/v1/users/", "throttle", nth=(5,))),
        ]
        ms, google = _scan(sandbox, "microsoft"), _scan(sandbox, "google")
        assert all(f.fired == 1 for f in faults)
        assert sandbox.log.only_reads()
    assert all(r.status is SectionStatus.COLLECTED for r in ms.sections.values())
    assert len(ms.identities) == len(google.identities) == 90
    assert google.sections[Section.EMAIL_SIGNALS].status is SectionStatus.COLLECTED
