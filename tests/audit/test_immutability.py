"""The audit log is append-only for every role, the owner included."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from failsafe.audit.retention import purge_expired
from failsafe.audit.service import record
from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database


def insert_backdated(owner: psycopg.Connection, age: str, action: str) -> int:
    """The owner may set occurred_at (the app role may not); returns the row id."""
    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        row = owner.execute(
            "INSERT INTO audit_log (occurred_at, actor, actor_role, action)"
            " VALUES (now() - %s::interval, 'system:test', 'system', %s) RETURNING id",
            (age, action),
        ).fetchone()
    assert row is not None
    return int(row[0])


def as_system(conn: psycopg.Connection) -> None:
    conn.execute("SELECT set_config('failsafe.role', 'system', true)")


async def test_service_writes_in_the_callers_transaction(db: Database) -> None:
    actor = SystemActor("test")
    with pytest.raises(RuntimeError):
        async with db.transaction(actor) as session:
            await record(session, actor, "test.rolled_back")
            raise RuntimeError("the action failed")
    async with db.transaction(actor) as session:
        await record(session, actor, "test.committed", target_type="thing", target_id="42")
    async with db.transaction(actor) as session:
        from sqlalchemy import text

        actions = (await session.execute(text("SELECT action FROM audit_log"))).scalars().all()
    assert actions == ["test.committed"]


@pytest.mark.parametrize("who", ["app", "owner", "superuser"])
def test_update_is_refused_for_every_role(
    who: str,
    owner: psycopg.Connection,
    superuser: psycopg.Connection,
    app_conn: psycopg.Connection,
) -> None:
    row_id = insert_backdated(owner, "400 days", "test.old_row")
    conn = {"app": app_conn, "owner": owner, "superuser": superuser}[who]
    with pytest.raises(errors.InsufficientPrivilege), conn.transaction():
        as_system(conn)
        conn.execute("UPDATE audit_log SET action = 'test.rewritten' WHERE id = %s", (row_id,))


@pytest.mark.parametrize("who", ["owner", "superuser"])
def test_delete_of_a_fresh_row_is_refused_even_for_the_owner(
    who: str, owner: psycopg.Connection, superuser: psycopg.Connection
) -> None:
    row_id = insert_backdated(owner, "29 days", "test.fresh_row")
    conn = owner if who == "owner" else superuser
    refused = pytest.raises(errors.InsufficientPrivilege, match="younger than 30 days")
    with refused, conn.transaction():
        as_system(conn)
        conn.execute("DELETE FROM audit_log WHERE id = %s", (row_id,))


def test_truncate_is_refused(owner: psycopg.Connection) -> None:
    with pytest.raises(errors.InsufficientPrivilege), owner.transaction():
        owner.execute("TRUNCATE audit_log")


def test_app_role_cannot_delete_or_backdate(
    owner: psycopg.Connection, app_conn: psycopg.Connection
) -> None:
    row_id = insert_backdated(owner, "400 days", "test.old_row")
    with pytest.raises(errors.InsufficientPrivilege), app_conn.transaction():
        as_system(app_conn)
        app_conn.execute("DELETE FROM audit_log WHERE id = %s", (row_id,))
    with pytest.raises(errors.InsufficientPrivilege), app_conn.transaction():
        as_system(app_conn)
        app_conn.execute(
            "INSERT INTO audit_log (occurred_at, actor, actor_role, action)"
            " VALUES (now() - interval '3 years', 'x', 'system', 'test.backdated')"
        )


def test_owner_may_delete_a_row_past_the_floor(owner: psycopg.Connection) -> None:
    row_id = insert_backdated(owner, "31 days", "test.past_floor")
    with owner.transaction():
        as_system(owner)
        deleted = owner.execute("DELETE FROM audit_log WHERE id = %s", (row_id,)).rowcount
    assert deleted == 1


async def test_retention_removes_only_rows_older_than_24_months(
    owner: psycopg.Connection, db: Database
) -> None:
    old = insert_backdated(owner, "25 months", "test.expired")
    borderline = insert_backdated(owner, "23 months", "test.kept_borderline")
    recent = insert_backdated(owner, "1 day", "test.kept_recent")

    async with db.transaction(SystemActor("retention")) as session:
        removed = await purge_expired(session)

    assert removed == 1
    with owner.transaction():
        as_system(owner)
        left = {row[0] for row in owner.execute("SELECT id FROM audit_log").fetchall()}
    assert left == {borderline, recent}
    assert old not in left


def test_retention_refuses_a_shorter_period(owner: psycopg.Connection) -> None:
    with pytest.raises(errors.RaiseException, match="at least 24 months"), owner.transaction():
        as_system(owner)
        owner.execute("SELECT audit_log_retention(interval '1 month')")


def test_clients_read_only_their_own_audit_trail(
    owner: psycopg.Connection, app_conn: psycopg.Connection
) -> None:
    from tests.world import build_world

    world = build_world(owner)
    with owner.transaction():
        as_system(owner)
        for account in ("client_a1", "client_b1"):
            owner.execute(
                "INSERT INTO audit_log (actor, actor_role, account_id, action)"
                " VALUES ('system:test', 'system', %s, 'test.per_account')",
                (world.accounts[account],),
            )
    _, account_id = world.actor_for("client_a1.user")
    with app_conn.transaction():
        app_conn.execute(
            "SELECT set_config('failsafe.role', 'client', true),"
            " set_config('failsafe.account_id', %s, true)",
            (str(account_id),),
        )
        seen = {row[0] for row in app_conn.execute("SELECT account_id FROM audit_log")}
    assert seen == {account_id}
