"""Tenant isolation in PostgreSQL itself: raw SQL as the app role, for every engagement-scoped
table the migrations create, for every kind of actor."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors

from tests.db.catalog import engagement_scoped_tables, insert_row
from tests.world import USERS, World, build_world, visible_engagements


def set_user_actor(conn: psycopg.Connection, world: World, user: str) -> None:
    user_id, account_id = world.actor_for(user)
    conn.execute(
        "SELECT set_config('failsafe.role', %s, true), set_config('failsafe.user_id', %s, true),"
        " set_config('failsafe.account_id', %s, true)",
        (USERS[user], str(user_id), str(account_id)),
    )


def set_system_actor(conn: psycopg.Connection, engagement: uuid.UUID | None) -> None:
    conn.execute(
        "SELECT set_config('failsafe.role', 'system', true),"
        " set_config('failsafe.engagement_id', %s, true)",
        (str(engagement) if engagement else "",),
    )


@pytest.fixture
def populated(superuser: psycopg.Connection) -> Iterator[tuple[World, list[str]]]:
    """The world, plus one row per engagement in every engagement-scoped table."""
    world = build_world(superuser)
    tables = engagement_scoped_tables(superuser)
    with superuser.transaction():
        # Replica mode skips foreign-key checks so rows need no parents in other tables.
        superuser.execute("SET LOCAL session_replication_role = replica")
        for table in tables:
            for engagement_id in world.engagements.values():
                insert_row(superuser, table, engagement_id)
    yield world, tables


def engagement_ids_seen(conn: psycopg.Connection, table: str) -> set[uuid.UUID]:
    rows = conn.execute(f"SELECT DISTINCT engagement_id FROM {table}").fetchall()
    return {row[0] for row in rows}


def test_catalog_finds_the_foundation_tables(superuser: psycopg.Connection) -> None:
    tables = engagement_scoped_tables(superuser)
    assert {"connections", "scans", "audit_log"} <= set(tables)


def test_every_engagement_scoped_table_forces_rls(superuser: psycopg.Connection) -> None:
    for table in [*engagement_scoped_tables(superuser), "engagements", "accounts", "users"]:
        row = superuser.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass",
            (f"failsafe.{table}",),
        ).fetchone()
        assert row == (True, True), f"{table} must enable and force row-level security"
        policies = superuser.execute(
            "SELECT count(*) FROM pg_policies WHERE schemaname = 'failsafe' AND tablename = %s",
            (table,),
        ).fetchone()
        assert policies is not None and policies[0] >= 2, f"{table} has no policies"


@pytest.mark.parametrize("user", sorted(USERS))
def test_each_role_sees_only_its_engagements(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection, user: str
) -> None:
    world, tables = populated
    expected = {world.engagements[name] for name in visible_engagements(world, user)}
    with app_conn.transaction():
        set_user_actor(app_conn, world, user)
        seen = {row[0] for row in app_conn.execute("SELECT id FROM engagements").fetchall()}
        assert seen == expected
        for table in tables:
            assert engagement_ids_seen(app_conn, table) == expected, f"{user} on {table}"


def test_no_actor_sees_nothing(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection
) -> None:
    _, tables = populated
    with app_conn.transaction():
        for table in [*tables, "engagements", "accounts", "users"]:
            row = app_conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert row == (0,), f"{table} leaked rows without an actor"


def test_actor_does_not_outlive_its_transaction(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection
) -> None:
    world, _ = populated
    with app_conn.transaction():
        set_user_actor(app_conn, world, "staff.admin")
        assert app_conn.execute("SELECT count(*) FROM engagements").fetchone() == (4,)
    with app_conn.transaction():
        assert app_conn.execute("SELECT count(*) FROM engagements").fetchone() == (0,)


def test_scoped_system_actor_sees_one_engagement(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection
) -> None:
    world, tables = populated
    target = world.engagements["eng_b1"]
    with app_conn.transaction():
        set_system_actor(app_conn, target)
        for table in tables:
            assert engagement_ids_seen(app_conn, table) == {target}, table
    with app_conn.transaction():
        set_system_actor(app_conn, None)
        assert engagement_ids_seen(app_conn, "connections") == set(world.engagements.values())


def test_client_cannot_write_into_another_engagement(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection
) -> None:
    world, _ = populated
    with pytest.raises(errors.InsufficientPrivilege), app_conn.transaction():
        set_user_actor(app_conn, world, "client_a1.user")
        app_conn.execute(
            "INSERT INTO connections (engagement_id, provider, tenant_ref) VALUES (%s, %s, %s)",
            (world.engagements["eng_b1"], "microsoft", "contoso.onmicrosoft.com"),
        )


def test_client_update_of_foreign_rows_touches_nothing(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection
) -> None:
    world, _ = populated
    with app_conn.transaction():
        set_user_actor(app_conn, world, "client_a1.user")
        result = app_conn.execute(
            "UPDATE connections SET display_name = 'owned' WHERE engagement_id = %s",
            (world.engagements["eng_b1"],),
        )
        assert result.rowcount == 0


def test_app_role_cannot_disable_rls(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection
) -> None:
    _, tables = populated
    for table in [*tables, "engagements"]:
        with pytest.raises(errors.InsufficientPrivilege), app_conn.transaction():
            app_conn.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def test_row_security_off_does_not_help(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection
) -> None:
    # With row_security off, a role without BYPASSRLS gets an error instead of the rows.
    with pytest.raises(errors.InsufficientPrivilege), app_conn.transaction():
        app_conn.execute("SET LOCAL row_security = off")
        app_conn.execute("SELECT * FROM connections").fetchall()


def test_app_role_owns_nothing_and_bypasses_nothing(superuser: psycopg.Connection) -> None:
    role = superuser.execute(
        "SELECT oid, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles"
        " WHERE rolname = 'failsafe_app'"
    ).fetchone()
    assert role is not None
    oid, *powers = role
    assert powers == [False, False, False, False]
    for catalog, owner_column in (
        ("pg_class", "relowner"),
        ("pg_proc", "proowner"),
        ("pg_namespace", "nspowner"),
        ("pg_type", "typowner"),
    ):
        owned = superuser.execute(
            f"SELECT count(*) FROM {catalog} WHERE {owner_column} = %s", (oid,)
        ).fetchone()
        assert owned == (0,), f"failsafe_app owns objects in {catalog}"
