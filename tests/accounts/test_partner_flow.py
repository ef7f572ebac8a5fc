from __future__ import annotations

import httpx
import psycopg

from tests.accounts.fixtures import Outbox
from tests.accounts.flows import PASSWORD, give_world_passwords, sign_in, sign_in_full
from tests.accounts.helpers import FakeClock
from tests.world import build_world


async def test_partner_onboards_a_client_end_to_end(
    client: httpx.AsyncClient,
    new_client,
    owner: psycopg.Connection,
    outbox: Outbox,
    clock: FakeClock,
) -> None:
    give_world_passwords(owner, build_world(owner))
    partner = await sign_in_full(client, "partner_a.user", clock)

    account = await client.post(
        "/api/v1/accounts", json={"name": "Globex Clinic"}, headers=partner.headers()
    )
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    engagement = await client.post(
        "/api/v1/engagements",
        json={"customer_account_id": account_id, "name": "Globex review"},
        headers=partner.headers(),
    )
    assert engagement.status_code == 201, engagement.text
    invited = await client.post(
        f"/api/v1/accounts/{account_id}/users",
        json={"email": "owner@globex.test", "name": "Gail Globex"},
        headers=partner.headers(),
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["role"] == "client"

    token = outbox.token("owner@globex.test", "invite")
    guest = new_client()
    accepted = await guest.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    reuse = await guest.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert reuse.status_code == 422
    await sign_in(guest, "owner@globex.test")
    seen = (await guest.get("/api/v1/engagements")).json()
    assert [row["id"] for row in seen] == [engagement.json()["id"]]


async def test_clients_cannot_create_accounts_or_read_the_audit_log(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    signed = await sign_in_full(client, "client_a1.user", clock)
    made = await client.post("/api/v1/accounts", json={"name": "X"}, headers=signed.headers())
    assert made.status_code == 403
    assert (await client.get("/api/v1/audit")).status_code == 403


async def test_admin_pages_through_the_audit_log(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    await sign_in_full(client, "staff.admin", clock)
    first = (await client.get("/api/v1/audit", params={"limit": 1})).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = (
        await client.get("/api/v1/audit", params={"limit": 1, "cursor": first["next_cursor"]})
    ).json()
    assert {row["id"] for row in first["items"]}.isdisjoint(row["id"] for row in second["items"])
    assert max(row["id"] for row in second["items"]) < min(row["id"] for row in first["items"])


async def test_write_token_needs_no_csrf(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection, clock: FakeClock
) -> None:
    world = build_world(owner)
    give_world_passwords(owner, world)
    partner = await sign_in_full(client, "partner_a.user", clock)
    issued = await client.post(
        "/api/v1/me/tokens", json={"name": "rmm", "scope": "write"}, headers=partner.headers()
    )
    bot = new_client()
    made = await bot.post(
        "/api/v1/engagements",
        json={"customer_account_id": str(world.accounts["client_a1"]), "name": "Second look"},
        headers={"authorization": f"Bearer {issued.json()['token']}"},
    )
    assert made.status_code == 201, made.text
