"""Tenant isolation in PostgreSQL itself: raw SQL as the app role, for every engagement-scoped
table the migrations create, for every kind of actor."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors, sql

from failsafe.db.actor import Actor, Role, SystemActor, UserActor, actor_settings
from failsafe.db.urls import APP_ROLE, SWITCH_ROLES
from tests.db.catalog import engagement_scoped_tables, insert_row
from tests.world import USERS, World, build_world, visible_engagements


def bind(conn: psycopg.Connection, actor: Actor) -> None:
    """Bind ``actor`` exactly as the app does: its settings and its database role."""
    for name, value in actor_settings(actor).items():
        conn.execute("SELECT set_config(%s, %s, true)", (name, value))


def set_user_actor(conn: psycopg.Connection, world: World, user: str) -> None:
    user_id, account_id = world.actor_for(user)
    bind(conn, UserActor(user_id=user_id, account_id=account_id, role=Role(USERS[user])))


def set_system_actor(conn: psycopg.Connection, engagement: uuid.UUID | None) -> None:
    bind(conn, SystemActor("isolation-test", engagement))


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


@pytest.mark.parametrize("role_name", [APP_ROLE, *SWITCH_ROLES])
def test_app_roles_own_nothing_and_bypass_nothing(
    superuser: psycopg.Connection, role_name: str
) -> None:
    role = superuser.execute(
        "SELECT oid, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles"
        " WHERE rolname = %s",
        (role_name,),
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
        assert owned == (0,), f"{role_name} owns objects in {catalog}"


@pytest.mark.parametrize("role_name", SWITCH_ROLES)
def test_switch_roles_hold_exactly_the_app_roles_privileges(
    superuser: psycopg.Connection, role_name: str
) -> None:
    def privileges(role: str) -> set[tuple[str, str]]:
        rows = superuser.execute(
            """
            SELECT c.oid::regclass::text, acl.privilege_type
            FROM pg_class c, aclexplode(c.relacl) acl
            WHERE c.relnamespace = 'failsafe'::regnamespace AND acl.grantee = %(r)s::regrole
            UNION
            SELECT a.attrelid::regclass::text || '.' || a.attname, acl.privilege_type
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid, aclexplode(a.attacl) acl
            WHERE c.relnamespace = 'failsafe'::regnamespace AND acl.grantee = %(r)s::regrole
            UNION
            SELECT p.oid::regprocedure::text, acl.privilege_type
            FROM pg_proc p, aclexplode(p.proacl) acl
            WHERE p.pronamespace = 'failsafe'::regnamespace AND acl.grantee = %(r)s::regrole
            """,
            {"r": role},
        ).fetchall()
        return {(row[0], row[1]) for row in rows}

    app = privileges(APP_ROLE)
    assert app, "the app role holds privileges"
    assert privileges(role_name) == app


@pytest.mark.parametrize("role_name", SWITCH_ROLES)
def test_app_role_may_switch_to_each_role_without_inheriting_it(
    superuser: psycopg.Connection, role_name: str
) -> None:
    row = superuser.execute(
        "SELECT pg_has_role(%s, %s, 'SET'), pg_has_role(%s, %s, 'USAGE')",
        (APP_ROLE, role_name, APP_ROLE, role_name),
    ).fetchone()
    assert row == (True, False)


def test_each_kind_of_actor_switches_to_its_own_role() -> None:
    engagement = uuid.uuid4()
    kinds = {
        "client": actor_settings(UserActor(uuid.uuid4(), uuid.uuid4(), Role.CLIENT)),
        "partner": actor_settings(UserActor(uuid.uuid4(), uuid.uuid4(), Role.PARTNER)),
        "admin": actor_settings(UserActor(uuid.uuid4(), uuid.uuid4(), Role.ADMIN)),
        "job": actor_settings(SystemActor("a job", engagement)),
        "unscoped job": actor_settings(SystemActor("a job")),
    }
    assert {kind: settings["role"] for kind, settings in kinds.items()} == {
        "client": "failsafe_app_client",
        "partner": "failsafe_app_partner",
        "admin": "failsafe_app_all",
        "job": "failsafe_app_job",
        "unscoped job": "failsafe_app_all",
    }


def test_every_engagement_scoped_table_has_a_policy_per_app_role(
    superuser: psycopg.Connection,
) -> None:
    # audit_log is the one engagement-scoped table with policies of its own (append-only).
    for table in set(engagement_scoped_tables(superuser)) - {"audit_log"}:
        rows = superuser.execute(
            "SELECT policyname, roles::text[] FROM pg_policies"
            " WHERE schemaname = 'failsafe' AND tablename = %s AND cmd = 'SELECT'",
            (table,),
        ).fetchall()
        assert {name: set(roles) for name, roles in rows} == {
            f"{table}_select": {"failsafe_app", "failsafe_owner"},
            f"{table}_select_all": {"failsafe_app_all", "failsafe_owner"},
            f"{table}_select_client": {"failsafe_app_client"},
            f"{table}_select_partner": {"failsafe_app_partner"},
            f"{table}_select_job": {"failsafe_app_job"},
        }, table


def test_sees_all_needs_both_the_role_and_the_actor(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection
) -> None:
    world, tables = populated
    # The audit log keeps its own role-independent policies (append-only, see the audit tests).
    split = [table for table in tables if table != "audit_log"]
    with app_conn.transaction():
        # An admin's settings without the switch to the sees-all role: nothing, not everything.
        app_conn.execute("SELECT set_config('failsafe.role', 'admin', true)")
        for table in split:
            assert engagement_ids_seen(app_conn, table) == set(), table
    with app_conn.transaction():
        # The sees-all role with a partner's settings: nothing either.
        set_user_actor(app_conn, world, "partner_a.user")
        app_conn.execute("SET LOCAL ROLE failsafe_app_all")
        for table in split:
            assert engagement_ids_seen(app_conn, table) == set(), table


@pytest.mark.parametrize(
    "role_name", ["failsafe_app_client", "failsafe_app_partner", "failsafe_app_job"]
)
def test_a_scoped_role_with_another_kinds_actor_sees_nothing(
    populated: tuple[World, list[str]], app_conn: psycopg.Connection, role_name: str
) -> None:
    world, tables = populated
    split = [table for table in tables if table != "audit_log"]
    client_id, client_account = world.actor_for("client_a1.user")
    partner_id, partner_account = world.actor_for("partner_a.user")
    actors: list[Actor] = [
        UserActor(client_id, client_account, Role.CLIENT),
        UserActor(partner_id, partner_account, Role.PARTNER),
        SystemActor("isolation-test", world.engagements["eng_a1"]),
    ]
    others = [actor for actor in actors if actor_settings(actor)["role"] != role_name]
    assert len(others) == 2
    for actor in others:
        with app_conn.transaction():
            bind(app_conn, actor)  # the actor's settings, then another kind's role
            app_conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role_name)))
            for table in split:
                assert engagement_ids_seen(app_conn, table) == set(), (table, actor)
