"""Commands answer bad input with one clear line and exit status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from failsafe.cli import app


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("FAILSAFE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return CliRunner()


def test_invalid_setting_is_named(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAILSAFE_DB_POOL_SIZE", "0")
    result = runner.invoke(app, ["db", "url"])
    assert result.exit_code == 2
    assert "invalid setting db_pool_size" in result.output
    assert "Traceback" not in result.output


def test_malformed_key_ring_is_refused(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAILSAFE_SECRET_KEYS", "k1:AAAAAAAA")
    result = runner.invoke(app, ["db", "url"])
    assert result.exit_code == 2
    assert "must be 32 bytes" in result.output


def test_production_without_keys_refuses_to_start(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILSAFE_ENV", "production")
    result = runner.invoke(app, ["db", "url"])
    assert result.exit_code == 2
    assert "FAILSAFE_SECRET_KEYS must be set in production" in result.output


def test_external_database_needs_app_role_credentials(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://admin@127.0.0.1:1/failsafe")
    result = runner.invoke(app, ["db", "url"])
    assert result.exit_code == 2
    assert "FAILSAFE_APP_DB_PASSWORD" in result.output


def test_db_url_masks_the_password(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://admin:topsecret@127.0.0.1:1/failsafe")
    monkeypatch.setenv("FAILSAFE_APP_DB_PASSWORD", "apppass")
    result = runner.invoke(app, ["db", "url"])
    assert result.exit_code == 0, result.output
    assert "apppass" not in result.output and "user=failsafe_app" in result.output
    owner = runner.invoke(app, ["db", "url", "--role", "owner"])
    assert "topsecret" not in owner.output and "********" in owner.output


def test_unknown_role_is_rejected(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://admin:x@127.0.0.1:1/failsafe")
    monkeypatch.setenv("FAILSAFE_APP_DB_PASSWORD", "apppass")
    result = runner.invoke(app, ["db", "url", "--role", "root"])
    assert result.exit_code == 2
    assert "role must be 'app' or 'owner'" in result.output
