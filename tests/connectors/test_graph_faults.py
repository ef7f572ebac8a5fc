from __future__ import annotations

import json

import pytest

from failsafe.connectors.collect import collect_tenant
from failsafe.connectors.graph.auth import GraphCredentials
from failsafe.connectors.plan import CollectionPlan
from failsafe.inventory.model import Section, SectionStatus
from failsafe.settings import Settings
from tests.connectors.conftest import SleepRecorder
from tests.connectors.fake_graph import FakeGraph


async def _collect(
    settings: Settings,
    creds: GraphCredentials,
    plan: CollectionPlan,
    fake: FakeGraph,
    sleeps: SleepRecorder,
):  # type: ignore[no-untyped-def]
    return (
        await collect_tenant(settings, creds, plan, transport=fake.transport(), sleep=sleeps)
    ).inventory


@pytest.mark.parametrize("fault", ["429", "503", "reset", "slow", "malformed"])
async def test_a_transient_fault_ends_in_success(
    graph_settings: Settings,
    graph_credentials: GraphCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
    fault: str,
) -> None:
    fake = FakeGraph(users=12, faults={"/v1.0/users": [fault, fault]})
    inv = await _collect(graph_settings, graph_credentials, plan, fake, sleeps)
    assert inv.assessed(Section.USERS) and len(inv.identities) == 12
    assert len(sleeps.waits) >= 2
    if fault == "429":
        assert 7.0 in sleeps.waits  # Retry-After honoured


async def test_a_fault_that_keeps_coming_is_a_recorded_section_failure(
    graph_settings: Settings,
    graph_credentials: GraphCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    fake = FakeGraph(users=12, faults={"/v1.0/auditLogs": ["503"] * 10})
    inv = await _collect(graph_settings, graph_credentials, plan, fake, sleeps)
    result = inv.sections[Section.APP_USAGE]
    assert result.status is SectionStatus.NOT_ASSESSED
    assert result.reason and "still failing after 3 retries" in result.reason
    assert inv.assessed(Section.USERS) and inv.assessed(Section.EMAIL_SIGNALS)


async def test_throttled_batch_items_are_retried(
    graph_settings: Settings,
    graph_credentials: GraphCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    fake = FakeGraph(users=12, faults={"/v1.0/users/u2/messages": ["429", "503"]})
    inv = await _collect(graph_settings, graph_credentials, plan, fake, sleeps)
    assert inv.assessed(Section.EMAIL_SIGNALS)
    assert sum(s.count for s in inv.email_signals) == 11 * 3
    assert 3.0 in sleeps.waits


async def test_paging_and_batching_use_the_fewest_requests(
    graph_settings: Settings,
    graph_credentials: GraphCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    fake = FakeGraph(users=1200, mail_per_user=1)
    inv = await _collect(graph_settings, graph_credentials, plan, fake, sleeps)
    assert len(inv.identities) == 1200
    users_pages = [r for r in fake.log if r.url.path == "/v1.0/users"]
    assert len(users_pages) == 3  # 500 per page with signInActivity
    batches = [r for r in fake.log if r.url.path == "/v1.0/$batch"]
    mail_items = sum(
        sum("/messages" in item["url"] for item in json.loads(r.content)["requests"])
        for r in batches
    )
    assert mail_items == 1200
    assert len(batches) <= 1200 // 20 + 3  # mailboxes 20 per $batch (+ roles and app roles)


async def test_token_expiry_mid_scan_refreshes_and_continues(
    graph_settings: Settings,
    graph_credentials: GraphCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    # Tokens that expire at once are renewed before each request; the scan still completes.
    fake = FakeGraph(users=20, token_lifetime=1)
    inv = await _collect(graph_settings, graph_credentials, plan, fake, sleeps)
    assert all(r.status is SectionStatus.COLLECTED for r in inv.sections.values())
    assert fake.tokens_issued > 1


async def test_every_request_is_a_read_and_mail_asks_for_sender_and_date_only(
    graph_settings: Settings,
    graph_credentials: GraphCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    fake = FakeGraph(users=25)
    await _collect(graph_settings, graph_credentials, plan, fake, sleeps)
    urls: list[str] = []
    for request in fake.log:
        if request.method == "GET":
            urls.append(str(request.url))
        elif request.url.path.endswith("/oauth2/v2.0/token"):
            assert request.method == "POST"
        else:
            assert (request.method, request.url.path) == ("POST", "/v1.0/$batch")
            for item in json.loads(request.content)["requests"]:
                assert item["method"] == "GET" and "body" not in item
                urls.append(item["url"])
    mail = [u for u in urls if "/messages" in u]
    assert mail
    for url in mail:
        assert "$select=from,receivedDateTime&" in url
    for url in urls:
        lowered = url.lower()
        assert "subject" not in lowered and "body" not in lowered and "preview" not in lowered
