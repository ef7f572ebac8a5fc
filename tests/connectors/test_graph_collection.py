from __future__ import annotations

from failsafe.connectors.collect import collect_tenant
from failsafe.connectors.graph.auth import GraphCredentials
from failsafe.connectors.plan import CollectionPlan
from failsafe.inventory.model import Section, SectionStatus
from failsafe.settings import Settings
from tests.connectors.conftest import SleepRecorder
from tests.connectors.fake_graph import FakeGraph


async def test_full_collection_builds_the_inventory(
    graph_settings: Settings,
    graph_credentials: GraphCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    tenant = FakeGraph(users=30)
    result = await collect_tenant(
        graph_settings, graph_credentials, plan, transport=tenant.transport(), sleep=sleeps
    )
    inv = result.inventory
    assert all(r.status is SectionStatus.COLLECTED for r in inv.sections.values()), inv.sections
    assert len(inv.identities) == 30
    admin = next(i for i in inv.identities if i.email == "user0@contoso.example")
    assert admin.is_admin and admin.mfa_registered
    assert next(i for i in inv.identities if i.id == "u1").mfa_registered is False
    assert {a.app_id for a in inv.apps} == {"00000003-0000-0000-c000-000000000000", "app-otter"}
    kinds = {(g.kind, g.all_users, g.user) for g in inv.grants}
    assert ("delegated", False, "user1@contoso.example") in kinds
    assert ("application", True, None) in kinds
    app_grant = next(g for g in inv.grants if g.kind == "application")
    assert app_grant.scopes == ("Mail.Read",)
    assert any(u.legacy_auth for u in inv.app_usage)
    assert inv.policies.users_can_consent is True
    assert inv.policies.conditional_access and inv.policies.conditional_access[0].requires_mfa
    signals = {(s.vendor_domain, s.kind) for s in inv.email_signals}
    assert signals == {("notion.so", "billing")}
    assert sum(s.count for s in inv.email_signals) == 29 * 3  # user5 has no mailbox
    assert inv.license_skus[0].purchased == 35
    assert not sleeps.waits


async def test_missing_permission_is_a_named_partial_section(
    graph_settings: Settings,
    graph_credentials: GraphCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    tenant = FakeGraph(users=10, denied={"/auditLogs"})
    inv = (
        await collect_tenant(
            graph_settings, graph_credentials, plan, transport=tenant.transport(), sleep=sleeps
        )
    ).inventory
    usage = inv.sections[Section.APP_USAGE]
    assert usage.status is SectionStatus.NOT_ASSESSED
    assert usage.reason and "403" in usage.reason and "Authorization_RequestDenied" in usage.reason
    assert inv.assessed(Section.USERS) and inv.assessed(Section.GRANTS)
