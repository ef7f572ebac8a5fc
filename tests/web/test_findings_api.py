from __future__ import annotations

import httpx
import psycopg

from failsafe.web.api.findings import FindingOut, FindingsPageOut
from tests.accounts.flows import give_world_passwords, sign_in_full
from tests.accounts.helpers import FakeClock
from tests.web.findings_seed import seed_findings
from tests.world import build_world


async def test_findings_filter_and_cursor_pages(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection, clock: FakeClock
) -> None:
    world = build_world(owner)
    give_world_passwords(owner, world)
    engagement = world.engagements["eng_a1"]
    seed_findings(owner, engagement, 120)
    await sign_in_full(client, "client_a1.user", clock)

    url = f"/api/v1/engagements/{engagement}/findings"
    first = (await client.get(url, params={"limit": 50})).json()
    assert len(first["items"]) == 50 and first["next_cursor"]
    ranks = [item["severity"] for item in first["items"]]
    assert ranks[0] == "critical"
    seen = {item["id"] for item in first["items"]}
    cursor = first["next_cursor"]
    while cursor:
        page = (await client.get(url, params={"limit": 50, "cursor": cursor})).json()
        assert seen.isdisjoint(item["id"] for item in page["items"])
        seen |= {item["id"] for item in page["items"]}
        cursor = page["next_cursor"]
    assert len(seen) == 120

    high = (await client.get(url, params={"severity": "high", "limit": 500})).json()
    assert {item["severity"] for item in high["items"]} == {"high"}
    assert len(high["items"]) == 24

    bad = await client.get(url, params={"cursor": "!!!"})
    assert bad.status_code == 422

    outsider = await sign_in_full(new_client(), "client_b1.user", clock)
    assert (await outsider.http.get(url)).status_code == 404


async def test_accept_and_resolve_are_recorded(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    world = build_world(owner)
    give_world_passwords(owner, world)
    engagement = world.engagements["eng_a1"]
    seed_findings(owner, engagement, 5)
    signed = await sign_in_full(client, "client_a1.user", clock)
    url = f"/api/v1/engagements/{engagement}/findings"
    fingerprint = (await client.get(url)).json()["items"][0]["fingerprint"]
    resolved = await client.post(
        f"{url}/{fingerprint}/resolve", json={"reason": "app removed"}, headers=signed.headers()
    )
    assert resolved.status_code == 200, resolved.text
    statuses = {
        item["fingerprint"]: item["status"] for item in (await client.get(url)).json()["items"]
    }
    assert statuses[fingerprint] == "resolved"


async def test_page_is_sent_in_the_documented_shape(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    world = build_world(owner)
    give_world_passwords(owner, world)
    engagement = world.engagements["eng_a1"]
    scan = seed_findings(owner, engagement, 5)
    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        owner.execute(
            "UPDATE findings SET monthly_cost = 12.5 WHERE scan_id = %s AND subject = 'app:3'",
            (scan,),
        )
    await sign_in_full(client, "client_a1.user", clock)

    response = await client.get(f"/api/v1/engagements/{engagement}/findings")

    assert response.status_code == 200
    page = FindingsPageOut.model_validate_json(response.text)  # the OpenAPI schema's model
    body = response.json()
    assert set(body) == set(FindingsPageOut.model_fields)
    assert all(set(item) == set(FindingOut.model_fields) for item in body["items"])
    costs = {item.subject: item.monthly_cost for item in page.items}
    assert costs["app:3"] == 12.5 and costs["app:1"] is None
    assert {item.subject: item.evidence for item in page.items}["app:4"] == {"n": 4}
    assert all(item.scan_id == scan and item.first_seen_scan_id == scan for item in page.items)
