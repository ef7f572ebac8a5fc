from __future__ import annotations

import httpx
import psycopg

from tests.accounts.flows import PASSWORD, email_of, give_world_passwords
from tests.accounts.helpers import FakeClock
from tests.world import build_world


def _audit(conn: psycopg.Connection, action: str) -> int:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        row = conn.execute("SELECT count(*) FROM audit_log WHERE action = %s", (action,)).fetchone()
    assert row is not None
    return int(row[0])


async def test_sixth_bad_password_is_refused(
    new_client, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    email = email_of("client_a1.user")
    for attempt in range(5):
        http = new_client(ip=f"198.51.100.{attempt + 1}")  # other IPs: the per-account limit
        bad = await http.post("/api/v1/auth/signin", json={"email": email, "password": "x" * 16})
        assert bad.status_code == 401
    sixth = await new_client(ip="198.51.100.99").post(
        "/api/v1/auth/signin", json={"email": email, "password": PASSWORD}
    )
    assert sixth.status_code == 429
    assert int(sixth.headers["retry-after"]) > 0
    assert sixth.json()["error"] == "rate_limited"
    assert _audit(owner, "auth.rate_limited") == 1

    clock.advance(minutes=16)
    later = await new_client().post(
        "/api/v1/auth/signin", json={"email": email, "password": PASSWORD}
    )
    assert later.status_code == 200


async def test_good_sign_in_clears_the_account_counter(
    new_client, owner: psycopg.Connection
) -> None:
    give_world_passwords(owner, build_world(owner))
    email = email_of("client_a1.user")
    for round_ in range(3):
        for _ in range(4):
            bad = await new_client(ip=f"198.51.100.{round_}").post(
                "/api/v1/auth/signin", json={"email": email, "password": "y" * 16}
            )
            assert bad.status_code == 401
        good = await new_client(ip="198.51.100.200").post(
            "/api/v1/auth/signin", json={"email": email, "password": PASSWORD}
        )
        assert good.status_code == 200


async def test_credential_stuffing_from_one_ip_is_slowed(
    client: httpx.AsyncClient, owner: psycopg.Connection
) -> None:
    statuses = []
    for index in range(40):
        response = await client.post(
            "/api/v1/auth/signin",
            json={"email": f"victim{index}@example.test", "password": "z" * 16},
        )
        statuses.append(response.status_code)
    assert statuses[:30] == [401] * 30
    assert set(statuses[30:]) == {429}
    assert _audit(owner, "auth.rate_limited") == 1


async def test_reset_requests_are_limited_per_email(client: httpx.AsyncClient) -> None:
    statuses = [
        (await client.post("/api/v1/auth/password/forgot", json={"email": "a@b.test"})).status_code
        for _ in range(7)
    ]
    assert statuses == [202] * 5 + [429] * 2


async def test_signup_is_limited_per_ip(client: httpx.AsyncClient) -> None:
    statuses = []
    for index in range(12):
        response = await client.post(
            "/api/v1/auth/signup",
            json={
                "email": f"new{index}@example.test",
                "password": "a long and unusual passphrase 42",
                "name": "N",
                "company": f"Co {index}",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [202] * 10 + [429] * 2
