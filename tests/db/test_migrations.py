"""Migrations go down and up again cleanly, and every revision is reachable in one chain."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic.script import ScriptDirectory
from psycopg import sql

from failsafe.db import migrate, rls
from failsafe.db.urls import DatabaseTarget


@pytest.fixture
def empty_target(server_target: DatabaseTarget) -> Iterator[DatabaseTarget]:
    name = f"fs_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_target.bootstrap_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield server_target.with_database(name)
    with psycopg.connect(server_target.bootstrap_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def tables(target: DatabaseTarget) -> set[str]:
    with psycopg.connect(target.bootstrap_url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'failsafe'"
        ).fetchall()
    return {row[0] for row in rows} - {"alembic_version"}


def test_revisions_form_one_linear_chain(empty_target: DatabaseTarget) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_target))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


def test_downgrade_to_base_and_upgrade_again(empty_target: DatabaseTarget) -> None:
    password = None if empty_target.embedded else "failsafe-test-app-role"
    migrate.upgrade(empty_target, password)
    at_head = tables(empty_target)
    assert {"accounts", "users", "engagements", "audit_log"} <= at_head

    migrate.downgrade(empty_target, "base")
    assert tables(empty_target) == set()

    migrate.upgrade(empty_target, password)
    assert tables(empty_target) == at_head


def _holdings(target: DatabaseTarget, role: str) -> tuple[set[tuple[str, str]], set[str]]:
    """The table privileges ``role`` holds in the schema, and the policies that apply to it."""
    with psycopg.connect(target.bootstrap_url) as conn:
        privileges = conn.execute(
            "SELECT c.oid::regclass::text, acl.privilege_type"
            " FROM pg_class c, aclexplode(c.relacl) acl"
            " WHERE c.relnamespace = 'failsafe'::regnamespace AND acl.grantee = %s::regrole",
            (role,),
        ).fetchall()
        policies = conn.execute(
            "SELECT tablename || '.' || policyname FROM pg_policies"
            " WHERE schemaname = 'failsafe' AND %s = ANY (roles)",
            (role,),
        ).fetchall()
    return {(row[0], row[1]) for row in privileges}, {row[0] for row in policies}


def test_upgrading_a_deployment_gives_the_scoped_roles_their_privileges_and_policies(
    empty_target: DatabaseTarget,
) -> None:
    password = None if empty_target.embedded else "failsafe-test-app-role"
    migrate.upgrade(empty_target, password, "0011")
    # As a database migrated before 0012 was: the roles exist (db upgrade creates them before
    # migrating), holding nothing, with no policies of their own.
    with psycopg.connect(empty_target.bootstrap_url, autocommit=True) as conn:
        for row in conn.execute(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'failsafe'"
            " AND policyname ~ '_(client|partner|job)$'"
        ).fetchall():
            conn.execute(
                sql.SQL("DROP POLICY {} ON failsafe.{}").format(
                    sql.Identifier(row[1]), sql.Identifier(row[0])
                )
            )
        for role in ("failsafe_app_client", "failsafe_app_partner", "failsafe_app_job"):
            for statement in rls.revoke_all(role):
                conn.execute(statement)
            assert _holdings(empty_target, role) == (set(), set())

    migrate.upgrade(empty_target, password)

    app_privileges, _ = _holdings(empty_target, "failsafe_app")
    for role, suffix, _ in rls.SCOPED_ARMS:
        privileges, policies = _holdings(empty_target, role)
        assert privileges == app_privileges, role
        assert "findings.findings_select" + suffix in policies, role
        assert all(policy.endswith(suffix) for policy in policies), role
