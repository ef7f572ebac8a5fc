"""Engagement settings over the API: validated, audited, and invisible to other tenants."""

from __future__ import annotations

import httpx
import psycopg

from tests.accounts.flows import give_world_passwords, sign_in_full
from tests.accounts.helpers import FakeClock
from tests.world import build_world


async def test_partner_sets_prices_and_sanctioned_vendors(
    client: httpx.AsyncClient,
    new_client,
    owner: psycopg.Connection,
    superuser: psycopg.Connection,
    clock: FakeClock,
) -> None:
    world = build_world(owner)
    give_world_passwords(owner, world)
    engagement = world.engagements["eng_a1"]
    signed = await sign_in_full(client, "partner_a.user", clock)
    url = f"/api/v1/engagements/{engagement}/settings"

    empty = await client.get(url)
    assert empty.status_code == 200 and empty.json() == {"sanctioned": [], "sku_prices": {}}

    saved = await client.put(
        url,
        json={"sanctioned": [" Slack.com ", "slack.com", "zoom"], "sku_prices": {"SPE_E3": 30.5}},
        headers=signed.headers(),
    )
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"sanctioned": ["slack.com", "zoom"], "sku_prices": {"spe_e3": 30.5}}
    assert (await client.get(url)).json() == saved.json()
    assert superuser.execute(
        "SELECT engagement_id, details FROM audit_log WHERE action = 'engagement.settings_changed'"
    ).fetchall() == [(engagement, {"sanctioned": 2, "sku_prices": 1})]

    # The client of that engagement reads the same settings; another partner's client cannot.
    customer = await sign_in_full(new_client(), "client_a1.user", clock)
    assert (await customer.http.get(url)).json() == saved.json()
    outsider = await sign_in_full(new_client(), "client_b1.user", clock)
    assert (await outsider.http.get(url)).status_code == 404
    refused = await outsider.http.put(url, json={"sanctioned": []}, headers=outsider.headers())
    assert refused.status_code == 404
    assert (await client.get(url)).json() == saved.json()


async def test_bad_settings_are_refused_and_nothing_changes(
    client: httpx.AsyncClient,
    owner: psycopg.Connection,
    superuser: psycopg.Connection,
    clock: FakeClock,
) -> None:
    world = build_world(owner)
    give_world_passwords(owner, world)
    engagement = world.engagements["eng_a1"]
    signed = await sign_in_full(client, "partner_a.user", clock)
    url = f"/api/v1/engagements/{engagement}/settings"

    cases = [
        ({"sku_prices": {"SPE_E3": -1}}, "price of SPE_E3 must be between 0 and 10,000"),
        ({"sku_prices": {"bad key!": 1}}, "not a SKU id or part number"),
        ({"sanctioned": ["<script>"]}, "not a vendor id, domain or app id"),
    ]
    for body, message in cases:
        answer = await client.put(url, json=body, headers=signed.headers())
        assert answer.status_code == 422, answer.text
        assert message in answer.json()["detail"]
    not_a_number = await client.put(
        url, json={"sku_prices": {"SPE_E3": "free"}}, headers=signed.headers()
    )
    assert not_a_number.status_code == 422

    assert (await client.get(url)).json() == {"sanctioned": [], "sku_prices": {}}
    assert superuser.execute("SELECT count(*) FROM engagement_settings").fetchone() == (0,)
