"""A request holds one pooled connection: credential activity is written after the answer, and
sign-out runs in the request's own transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest

from failsafe.db.engine import Database
from failsafe.runtime import Runtime
from failsafe.web.app import create_app
from tests.accounts.flows import email_of, give_world_passwords, sign_in
from tests.accounts.helpers import FakeClock
from tests.world import as_system, build_world


@pytest.fixture
async def one_connection_client(
    runtime: Runtime, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a pool of exactly one connection: a request that needed a second one while
    holding its own would wait out the pool's timeout and fail."""
    await runtime.database.dispose()
    runtime.database = Database(runtime.target, pool_size=1, max_overflow=0, pool_timeout=2.0)
    transport = httpx.ASGITransport(app=create_app(runtime, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


def _activity(owner: psycopg.Connection, table: str, column: str) -> list[object]:
    with owner.transaction():
        as_system(owner)
        return [row[0] for row in owner.execute(f"SELECT {column} FROM {table}").fetchall()]


async def test_activity_is_written_after_the_request_on_one_connection(
    one_connection_client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    client = one_connection_client
    give_world_passwords(owner, build_world(owner))
    signed = await sign_in(client, email_of("client_a1.user"))
    created = await client.post("/api/v1/me/tokens", json={"name": "bot"}, headers=signed.headers())
    assert created.status_code == 201, created.text
    bearer = {"authorization": f"Bearer {created.json()['token']}"}

    clock.advance(minutes=5)  # both credentials are due an activity write
    by_token = await client.get("/api/v1/engagements", headers=bearer)
    by_cookie = await client.get("/api/v1/engagements")

    assert by_token.status_code == 200, by_token.text
    assert by_cookie.status_code == 200, by_cookie.text
    assert _activity(owner, "api_tokens", "last_used_at") == [clock.now()]
    assert clock.now() in _activity(owner, "sessions", "last_seen_at")


async def test_sign_out_runs_in_the_requests_own_transaction(
    one_connection_client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    client = one_connection_client
    give_world_passwords(owner, build_world(owner))
    signed = await sign_in(client, email_of("client_a1.user"))

    out = await client.post("/api/v1/auth/signout", headers=signed.headers())

    assert out.status_code == 204, out.text
    assert (await client.get("/api/v1/me")).status_code == 401
    assert _activity(owner, "sessions", "revoked_reason") == ["signed_out"]
