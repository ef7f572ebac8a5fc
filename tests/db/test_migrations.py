"""Migrations go down and up again cleanly, and every revision is reachable in one chain."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic.script import ScriptDirectory
from psycopg import sql

from failsafe.db import migrate
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
