from __future__ import annotations

import psycopg
import pytest
from typer.testing import CliRunner

from failsafe.accounts.service import set_demo_password
from failsafe.cli import app as cli
from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.db.urls import DatabaseTarget
from failsafe.secrets.keyring import generate_key
from tests.world import build_world


def test_admin_create_makes_a_verified_admin(
    fresh_target: DatabaseTarget, owner: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_target.bootstrap_url)
    monkeypatch.setenv("FAILSAFE_APP_DATABASE_URL", fresh_target.app_url)
    monkeypatch.setenv("FAILSAFE_SECRET_KEYS", f"cli:{generate_key()}")
    monkeypatch.setenv("FAILSAFE_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("FAILSAFE_PASSWORD_HASH_MEMORY_KIB", "8192")
    result = CliRunner().invoke(
        cli, ["admin", "create", "ops@failsafe.test", "--name", "Ops", "--generate"]
    )
    assert result.exit_code == 0, result.output
    assert "password (shown once)" in result.output

    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        row = owner.execute(
            "SELECT u.role, a.kind, u.email_verified_at IS NOT NULL, u.password_hash LIKE"
            " '$argon2id$%' FROM users u JOIN accounts a ON a.id = u.account_id"
            " WHERE u.email = 'ops@failsafe.test'"
        ).fetchone()
        actions = [r[0] for r in owner.execute("SELECT action FROM audit_log")]
    assert row == ("admin", "internal", True, True)
    assert "admin.created" in actions

    again = CliRunner().invoke(
        cli, ["admin", "create", "ops@failsafe.test", "--name", "X", "--generate"]
    )
    assert again.exit_code == 2


async def test_set_demo_password_returns_a_working_password(
    db: Database, owner: psycopg.Connection
) -> None:
    build_world(owner)
    async with db.transaction(SystemActor("demo.seed")) as session:
        password = await set_demo_password(session, "client_a1.user@example.test")
    assert len(password) >= 15
    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        row = owner.execute(
            "SELECT password_hash IS NOT NULL, email_verified_at IS NOT NULL FROM users"
            " WHERE email = 'client_a1.user@example.test'"
        ).fetchone()
    assert row == (True, True)
