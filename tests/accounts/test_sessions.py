from __future__ import annotations

import httpx
import psycopg

from tests.accounts.flows import PASSWORD, email_of, give_world_passwords, sign_in
from tests.accounts.helpers import FakeClock
from tests.world import build_world

COOKIE = "__Host-fs_session"


async def test_cookie_flags(client: httpx.AsyncClient, owner: psycopg.Connection) -> None:
    give_world_passwords(owner, build_world(owner))
    response = await client.post(
        "/api/v1/auth/signin", json={"email": email_of("client_a1.user"), "password": PASSWORD}
    )
    header = response.headers["set-cookie"]
    parts = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert header.startswith(f"{COOKIE}=")
    assert {"secure", "httponly", "path", "samesite"} <= parts
    assert "samesite=strict" in header.lower()
    assert "path=/" in header.lower()
    assert "domain" not in parts  # __Host- cookies must not name a domain


async def test_idle_session_is_refused(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    await sign_in(client, email_of("client_a1.user"))
    clock.advance(minutes=59)
    assert (await client.get("/api/v1/me")).status_code == 200
    clock.advance(minutes=59)  # activity above moved the idle deadline on
    assert (await client.get("/api/v1/me")).status_code == 200
    clock.advance(minutes=61)
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_absolute_expiry_holds_even_when_active(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    await sign_in(client, email_of("client_a1.user"))
    for _ in range(15):  # 15 x 50 minutes is past the 12-hour limit
        clock.advance(minutes=50)
        last = await client.get("/api/v1/me")
    assert last.status_code == 401


async def test_sign_out_revokes_the_session(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection
) -> None:
    give_world_passwords(owner, build_world(owner))
    signed = await sign_in(client, email_of("client_a1.user"))
    token = client.cookies.get(COOKIE)
    out = await client.post("/api/v1/auth/signout", headers=signed.headers())
    assert out.status_code == 204
    replay = new_client()
    replay.cookies.set(COOKIE, token, domain="testserver")
    assert (await replay.get("/api/v1/me")).status_code == 401


async def test_password_change_revokes_the_other_sessions(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection
) -> None:
    give_world_passwords(owner, build_world(owner))
    mine = await sign_in(client, email_of("client_a1.user"))
    other = new_client()
    await sign_in(other, email_of("client_a1.user"))
    response = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "another long passphrase here 7"},
        headers=mine.headers(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["other_sessions_revoked"] == 1
    assert (await other.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_user_lists_and_revokes_own_sessions_only(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection
) -> None:
    give_world_passwords(owner, build_world(owner))
    mine = await sign_in(client, email_of("client_a1.user"))
    laptop = new_client()
    await sign_in(laptop, email_of("client_a1.user"))
    stranger_http = new_client()
    stranger = await sign_in(stranger_http, email_of("client_b1.user"))

    listed = (await client.get("/api/v1/me/sessions")).json()
    assert len(listed) == 2
    other_id = next(row["id"] for row in listed if not row["current"])

    foreign = await stranger_http.delete(
        f"/api/v1/me/sessions/{other_id}", headers=stranger.headers()
    )
    assert foreign.status_code == 404
    assert (await laptop.get("/api/v1/me")).status_code == 200

    revoked = await client.delete(f"/api/v1/me/sessions/{other_id}", headers=mine.headers())
    assert revoked.status_code == 200
    assert (await laptop.get("/api/v1/me")).status_code == 401


async def test_api_token_auth_scope_and_revocation(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection
) -> None:
    give_world_passwords(owner, build_world(owner))
    signed = await sign_in(client, email_of("client_a1.user"))
    read = (
        await client.post("/api/v1/me/tokens", json={"name": "ro"}, headers=signed.headers())
    ).json()
    bot = new_client()
    auth = {"authorization": f"Bearer {read['token']}"}
    assert (await bot.get("/api/v1/engagements", headers=auth)).status_code == 200
    write = await bot.post("/api/v1/engagements", json={}, headers=auth)
    assert write.status_code == 403
    assert write.json()["error"] == "token_read_only"

    await client.delete(f"/api/v1/me/tokens/{read['id']}", headers=signed.headers())
    assert (await bot.get("/api/v1/engagements", headers=auth)).status_code == 401
    bogus = {"authorization": "Bearer fs_not_a_real_token"}
    assert (await bot.get("/api/v1/engagements", headers=bogus)).status_code == 401


async def test_account_deletion_is_soft_and_revokes_everything(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection
) -> None:
    world = build_world(owner)
    give_world_passwords(owner, world)
    signed = await sign_in(client, email_of("client_a1.user"))
    token = (
        await client.post(
            "/api/v1/me/tokens", json={"name": "rw", "scope": "write"}, headers=signed.headers()
        )
    ).json()["token"]
    account_id = world.accounts["client_a1"]
    response = await client.post(
        f"/api/v1/accounts/{account_id}/deletion",
        json={"password": PASSWORD},
        headers=signed.headers(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "deleted"

    assert (await client.get("/api/v1/me")).status_code == 401
    bot = new_client()
    headers = {"authorization": f"Bearer {token}"}
    assert (await bot.get("/api/v1/me", headers=headers)).status_code == 401
    again = await new_client().post(
        "/api/v1/auth/signin", json={"email": email_of("client_a1.user"), "password": PASSWORD}
    )
    assert again.status_code == 401
    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        row = owner.execute(
            "SELECT status, deleted_at IS NOT NULL FROM accounts WHERE id = %s", (account_id,)
        ).fetchone()
        actions = [r[0] for r in owner.execute("SELECT action FROM audit_log")]
        notices = owner.execute(
            "SELECT count(*) FROM email_outbox WHERE template = 'account_deletion_scheduled'"
        ).fetchone()
    assert row == ("deleted", True)
    assert notices == (1,)
    assert "account.deletion_requested" in actions
