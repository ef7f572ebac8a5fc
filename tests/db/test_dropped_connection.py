"""A pooled connection the server dropped while it idled costs no request: the transaction's
first statement finds it, and the transaction starts again on a new connection."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from failsafe.db.actor import SystemActor
from failsafe.db.urls import DatabaseTarget
from failsafe.runtime import Runtime

ACTOR = SystemActor("test.dropped")


def _app_backends(target: DatabaseTarget) -> list[int]:
    with psycopg.connect(target.bootstrap_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE usename = 'failsafe_app' AND datname = current_database()"
        ).fetchall()
    return [row[0] for row in rows]


def _terminate(target: DatabaseTarget, pids: list[int]) -> None:
    with psycopg.connect(target.bootstrap_url, autocommit=True) as conn:
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


async def _backend_pid(runtime: Runtime) -> int:
    async with runtime.database.transaction(ACTOR) as session:
        row = (
            await session.execute(
                text("SELECT pg_backend_pid(), current_setting('failsafe.actor')")
            )
        ).one()
    assert row[1] == ACTOR.label  # the retried transaction is bound to the actor too
    return int(row[0])


async def test_transaction_survives_a_dropped_pooled_connection(
    runtime: Runtime, fresh_target: DatabaseTarget
) -> None:
    first = await _backend_pid(runtime)
    assert _app_backends(fresh_target) == [first]  # idle in the pool

    _terminate(fresh_target, [first])
    second = await _backend_pid(runtime)

    assert second != first
    assert _app_backends(fresh_target) == [second]


async def test_transactions_survive_a_restart_that_dropped_every_pooled_connection(
    runtime: Runtime, fresh_target: DatabaseTarget
) -> None:
    held = [runtime.database.transaction(ACTOR) for _ in range(3)]
    for transaction in held:  # three at once: three connections in the pool afterwards
        await transaction.__aenter__()
    for transaction in held:
        await transaction.__aexit__(None, None, None)
    pooled = _app_backends(fresh_target)
    assert len(pooled) == 3

    _terminate(fresh_target, pooled)
    after = [await _backend_pid(runtime) for _ in range(3)]

    assert not set(after) & set(pooled)


async def test_a_failure_other_than_a_drop_is_not_retried(runtime: Runtime) -> None:
    async with runtime.database.transaction(ACTOR) as session:
        await session.execute(text("SELECT 1"))
    before = await _backend_pid(runtime)

    with pytest.raises(DBAPIError) as raised:
        async with runtime.database.transaction(ACTOR) as session:
            await session.execute(text("SELECT 1 / 0"))
    assert not raised.value.connection_invalidated

    # The pool's connection is still the same one: nothing was thrown away or retried.
    assert await _backend_pid(runtime) == before
