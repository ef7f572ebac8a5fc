"""Benchmark helpers: a throwaway migrated database on the test server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from failsafe.db import migrate
from failsafe.db.urls import DatabaseTarget, resolve_target
from failsafe.settings import Settings

REPO = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "failsafe-bench-app-role"


@contextmanager
def scratch_database(prefix: str = "fs_bench") -> Iterator[DatabaseTarget]:
    """A fresh database migrated to head, dropped afterwards."""
    external = bool(os.environ.get("DATABASE_URL"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=REPO / ".test-data",
        app_db_password=BENCH_PASSWORD if external else None,  # type: ignore[arg-type]
    )
    server = resolve_target(settings)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.bootstrap_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    target = server.with_database(name)
    try:
        migrate.upgrade(target, BENCH_PASSWORD if external else None)
        yield target
    finally:
        with psycopg.connect(server.bootstrap_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
