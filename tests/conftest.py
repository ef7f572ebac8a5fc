"""Shared fixtures: a real PostgreSQL (embedded unless DATABASE_URL is set), migrated once per
test worker into a template, and a fresh database cloned from it for each test that asks."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from failsafe.db import migrate
from failsafe.db.engine import Database
from failsafe.db.urls import DatabaseTarget, resolve_target
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import KeyRing, generate_key
from failsafe.settings import Settings

REPO = Path(__file__).resolve().parent.parent
TEST_DATA_DIR = REPO / ".test-data"
APP_PASSWORD = "failsafe-test-app-role"  # only used when DATABASE_URL points at a real server


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def server_target() -> DatabaseTarget:
    """The server the tests use: DATABASE_URL if set, else the embedded one in .test-data/."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=TEST_DATA_DIR,
        app_db_password=APP_PASSWORD if os.environ.get("DATABASE_URL") else None,
    )
    return resolve_target(settings)


def _drop(bootstrap_url: str, name: str) -> None:
    with psycopg.connect(bootstrap_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def template_target(server_target: DatabaseTarget) -> Iterator[DatabaseTarget]:
    """A database migrated to head for this worker, used only as a template."""
    name = f"fs_tmpl_{_worker()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_target.bootstrap_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    target = server_target.with_database(name)
    migrate.upgrade(target, APP_PASSWORD if not server_target.embedded else None)
    yield target
    _drop(server_target.bootstrap_url, name)


@pytest.fixture
def fresh_target(
    server_target: DatabaseTarget, template_target: DatabaseTarget
) -> Iterator[DatabaseTarget]:
    """A new, migrated, empty database for one test (cloned from the template)."""
    name = f"fs_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_target.bootstrap_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template_target.database_name)
            )
        )
    yield server_target.with_database(name)
    _drop(server_target.bootstrap_url, name)


@pytest.fixture
def test_settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own data dir, test keys, no .env."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        secret_keys=f"test1:{generate_key()}",  # type: ignore[arg-type]
    )


@pytest.fixture
async def runtime(fresh_target: DatabaseTarget, test_settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime on a fresh database (app role), with a test key ring."""
    assert test_settings.secret_keys is not None
    keyring = KeyRing.parse(test_settings.secret_keys.get_secret_value())
    runtime = Runtime(settings=test_settings, target=fresh_target, keyring=keyring)
    yield runtime
    await runtime.database.dispose()


@pytest.fixture
def db(runtime: Runtime) -> Database:
    """The app-role database of the fresh test database."""
    return runtime.database


@pytest.fixture
def superuser(fresh_target: DatabaseTarget) -> Iterator[psycopg.Connection]:
    """A bootstrap (superuser in embedded mode) connection to the fresh database."""
    with psycopg.connect(
        fresh_target.bootstrap_url, autocommit=True, options="-c search_path=failsafe"
    ) as conn:
        yield conn


@pytest.fixture
def owner(fresh_target: DatabaseTarget) -> Iterator[psycopg.Connection]:
    """A connection acting as the owner role (subject to FORCE RLS and the audit triggers)."""
    with psycopg.connect(
        fresh_target.bootstrap_url, autocommit=True, options="-c search_path=failsafe"
    ) as conn:
        conn.execute("SET ROLE failsafe_owner")
        yield conn


@pytest.fixture
def app_conn(fresh_target: DatabaseTarget) -> Iterator[psycopg.Connection]:
    """A raw connection as the app role, for tests that speak SQL directly."""
    with psycopg.connect(
        fresh_target.app_url, autocommit=False, options="-c search_path=failsafe"
    ) as conn:
        yield conn
