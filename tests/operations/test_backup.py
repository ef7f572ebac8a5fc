"""Backup and restore: a new database gets every row and report file back, intact."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from failsafe.db.urls import DatabaseTarget
from failsafe.operations.backup import BackupError, backup, restore
from failsafe.settings import Settings
from tests.operations.tenant import populate


def settings_for(data_dir: Path) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a content hash of every table of the schema."""
    result: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'failsafe' ORDER BY 1"
            )
        ]
        for table in tables:
            row = conn.execute(
                sql.SQL(
                    "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
                    " FROM failsafe.{} t"
                ).format(sql.Identifier(table))
            ).fetchone()
            assert row is not None
            result[table] = (row[0], row[1])
    return result


@pytest.fixture
def empty_target(
    server_target: DatabaseTarget, fresh_target: DatabaseTarget
) -> Iterator[DatabaseTarget]:
    name = f"fs_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_target.bootstrap_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield server_target.with_database(name)
    with psycopg.connect(server_target.bootstrap_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_backup_restores_into_a_new_database(
    fresh_target: DatabaseTarget,
    empty_target: DatabaseTarget,
    superuser: psycopg.Connection,
    tmp_path: Path,
) -> None:
    source = settings_for(tmp_path / "source")
    tenants = [populate(superuser, f"t{i}", source.storage_dir) for i in range(3)]
    before = fingerprint(fresh_target.bootstrap_url)
    assert before["engagements"][0] == 3 and before["audit_log"][0] >= 3

    manifest = backup(fresh_target, source, tmp_path / "backup")
    assert "database.dump" in manifest["files"]
    assert manifest["versions"]["pg_dump"].startswith("pg_dump (PostgreSQL) 18")
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())

    target = settings_for(tmp_path / "restored")
    restore(empty_target, target, tmp_path / "backup")

    assert fingerprint(empty_target.bootstrap_url) == before
    for tenant in tenants:
        relative = tenant.report_file.relative_to(source.storage_dir)
        assert (target.storage_dir / relative).read_bytes() == tenant.report_file.read_bytes()
    with psycopg.connect(empty_target.app_url) as app:
        # Grants and row-level security came back too: the app role sees nothing without an
        # actor, and everything as an unscoped system actor.
        assert app.execute("SELECT count(*) FROM failsafe.engagements").fetchone() == (0,)
        app.execute("SELECT set_config('failsafe.role', 'system', true)")
        assert app.execute("SELECT count(*) FROM failsafe.engagements").fetchone() == (3,)


def test_restore_refuses_a_non_empty_database_and_bad_checksums(
    fresh_target: DatabaseTarget,
    empty_target: DatabaseTarget,
    superuser: psycopg.Connection,
    tmp_path: Path,
) -> None:
    source = settings_for(tmp_path / "source")
    populate(superuser, "t", source.storage_dir)
    backup(fresh_target, source, tmp_path / "backup")

    with pytest.raises(BackupError, match="not empty"):
        restore(fresh_target, settings_for(tmp_path / "x"), tmp_path / "backup")

    report = next((tmp_path / "backup" / "files").rglob("*.pdf"))
    report.write_bytes(b"tampered")
    with pytest.raises(BackupError, match="checksum mismatch"):
        restore(empty_target, settings_for(tmp_path / "y"), tmp_path / "backup")
    with pytest.raises(BackupError, match="not empty"):
        backup(fresh_target, source, tmp_path / "backup")


def test_backup_and_restore_commands(
    fresh_target: DatabaseTarget,
    empty_target: DatabaseTarget,
    superuser: psycopg.Connection,
    tmp_path: Path,
) -> None:
    populate(superuser, "cli", tmp_path / "source" / "storage")
    before = fingerprint(fresh_target.bootstrap_url)

    def failsafe(target: DatabaseTarget, data_dir: Path, *args: str) -> str:
        env = {
            **os.environ,
            "DATABASE_URL": target.bootstrap_url,
            "FAILSAFE_APP_DATABASE_URL": target.app_url,
            "FAILSAFE_DATA_DIR": str(data_dir),
        }
        out = subprocess.run(
            [sys.executable, "-m", "failsafe", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    assert "backup written" in failsafe(
        fresh_target, tmp_path / "source", "backup", "--out", str(tmp_path / "b")
    )
    assert "restored backup" in failsafe(
        empty_target, tmp_path / "restored", "restore", "--from", str(tmp_path / "b")
    )
    assert fingerprint(empty_target.bootstrap_url) == before
    assert list((tmp_path / "restored" / "storage").rglob("report.pdf"))
