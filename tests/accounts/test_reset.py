from __future__ import annotations

import httpx
import psycopg

from failsafe.runtime import Runtime
from tests.accounts.fixtures import Outbox
from tests.accounts.flows import (
    email_of,
    forgot_password,
    give_world_passwords,
    run_account_jobs,
    sign_in,
)
from tests.accounts.helpers import FakeClock
from tests.world import build_world

NEW = "a brand new passphrase for me 9"


async def test_reset_works_once_and_revokes_sessions(
    client: httpx.AsyncClient,
    new_client,
    owner: psycopg.Connection,
    outbox: Outbox,
    runtime: Runtime,
) -> None:
    give_world_passwords(owner, build_world(owner))
    email = email_of("client_a1.user")
    await sign_in(client, email)

    forgot = await forgot_password(new_client(), runtime, email)
    assert forgot.status_code == 202
    token = outbox.token(email, "reset_password")
    done = await new_client().post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW}
    )
    assert done.status_code == 200, done.text
    assert (await client.get("/api/v1/me")).status_code == 401

    reuse = await new_client().post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW + "x"}
    )
    assert reuse.status_code == 422
    assert reuse.json()["error"] == "invalid_token"
    await sign_in(new_client(), email, NEW)


async def test_reset_token_expires(
    client: httpx.AsyncClient,
    owner: psycopg.Connection,
    outbox: Outbox,
    clock: FakeClock,
    runtime: Runtime,
) -> None:
    give_world_passwords(owner, build_world(owner))
    email = email_of("client_a1.user")
    await forgot_password(client, runtime, email)
    token = outbox.token(email, "reset_password")
    clock.advance(minutes=31)
    late = await client.post("/api/v1/auth/password/reset", json={"token": token, "password": NEW})
    assert late.status_code == 422


async def test_reset_answers_and_queues_the_same_for_unknown_emails(
    client: httpx.AsyncClient, owner: psycopg.Connection, outbox: Outbox, runtime: Runtime
) -> None:
    give_world_passwords(owner, build_world(owner))
    email = email_of("client_a1.user")
    known = await client.post("/api/v1/auth/password/forgot", json={"email": email})
    unknown = await client.post("/api/v1/auth/password/forgot", json={"email": "no@one.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()

    # One job each, neither carrying an address; nothing is sent until a worker runs them.
    with owner.transaction():
        jobs = owner.execute(
            "SELECT task_name, args FROM procrastinate_jobs WHERE queue_name = 'accounts'"
            " ORDER BY id"
        ).fetchall()
    assert [task for task, _ in jobs] == ["accounts:send_reset_link"] * 2
    assert all(set(args) == {"user_id", "requested_at"} for _, args in jobs)
    assert jobs[0][1]["user_id"] is not None and jobs[1][1]["user_id"] is None
    assert outbox.messages == []

    await run_account_jobs(runtime)
    assert [m.to for m in outbox.messages] == [email]


async def test_weak_new_password_keeps_the_token(
    client: httpx.AsyncClient, owner: psycopg.Connection, outbox: Outbox, runtime: Runtime
) -> None:
    give_world_passwords(owner, build_world(owner))
    email = email_of("client_a1.user")
    await forgot_password(client, runtime, email)
    token = outbox.token(email, "reset_password")
    weak = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "password123456789"}
    )
    assert weak.status_code == 422 and weak.json()["error"] == "weak_password"
    good = await client.post("/api/v1/auth/password/reset", json={"token": token, "password": NEW})
    assert good.status_code == 200
