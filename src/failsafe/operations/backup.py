"""Backups: a pg_dump custom-format archive, the report files, and a manifest with SHA-256
checksums and versions; restore into an empty database after verifying every checksum.

The dump uses the wheel's PostgreSQL binaries for the embedded server (same major version as
the server) and the system ``pg_dump`` when ``DATABASE_URL`` points elsewhere (falling back to
the wheel's, which can dump any older server). Restore replays
the archive with ``pg_restore --single-transaction --exit-on-error`` over the bootstrap (owner)
connection: rows are only inserted, so the audit log's UPDATE/DELETE/TRUNCATE triggers never
fire, and policies are restored as they were.
# Limitation: restore needs a role that bypasses row-level security for its COPY (a superuser,
# or the owner granted BYPASSRLS for the duration), as PostgreSQL refuses COPY FROM into a table
# whose policies apply to the restoring role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import structlog
from psycopg import conninfo

from failsafe import __version__
from failsafe.db.embedded import embedded_bin_dir
from failsafe.db.roles import ensure_roles
from failsafe.db.urls import DatabaseTarget
from failsafe.errors import FailSafeError
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
FORMAT = 1


class BackupError(FailSafeError):
    status = 500
    code = "backup_failed"


@dataclass(frozen=True)
class Tools:
    pg_dump: str
    pg_restore: str


def _major(tool: str) -> int:
    """The major version of a pg_dump/pg_restore binary (0 when it cannot be read)."""
    out = subprocess.run(  # noqa: S603 - a fixed tool path, no shell
        [tool, "--version"], capture_output=True, text=True, check=False
    ).stdout
    digits = out.strip().rsplit(" ", 1)[-1].split(".")[0]
    return int(digits) if digits.isdigit() else 0


def _server_major(target: DatabaseTarget) -> int:
    with psycopg.connect(target.bootstrap_url) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    return int(row[0]) // 10000 if row else 0


def tools(target: DatabaseTarget) -> Tools:
    """The pg_dump/pg_restore to use: never older than the server (pg_dump refuses that)."""
    bin_dir = embedded_bin_dir()
    wheel = Tools(str(bin_dir / "pg_dump"), str(bin_dir / "pg_restore"))
    if target.embedded:
        return wheel
    dump, restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    server = _server_major(target)
    if dump is not None and restore is not None and _major(dump) >= server:
        return Tools(dump, restore)
    # The wheel's pg_dump 18 reads any older server, so an image without a (recent enough)
    # PostgreSQL client package can still back up a managed database.
    if Path(wheel.pg_dump).is_file() and _major(wheel.pg_dump) >= server:
        return wheel
    raise BackupError(f"no pg_dump of version {server} or later found (PATH or the wheel)")


def _split_password(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment carrying it (not on the command line)."""
    params = dict(conninfo.conninfo_to_dict(url))
    password = params.pop("password", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return conninfo.make_conninfo("", **{k: str(v) for k, v in params.items()}), env


def _run(command: list[str], env: dict[str, str]) -> str:
    # The command is a fixed tool path and our own arguments; no shell, no user input.
    completed = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        # stderr of pg tools names objects, never row contents; keep the tail only.
        raise BackupError(f"{Path(command[0]).name} failed: {completed.stderr.strip()[-500:]}")
    return completed.stdout


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions(target: DatabaseTarget, tool: Tools) -> dict[str, Any]:
    with psycopg.connect(target.bootstrap_url) as conn:
        server = conn.execute("SHOW server_version").fetchone()
        revision = conn.execute(
            "SELECT version_num FROM failsafe.alembic_version"
            " WHERE to_regclass('failsafe.alembic_version') IS NOT NULL"
        ).fetchall()
    env = dict(os.environ)
    return {
        "failsafe": __version__,
        "postgresql_server": server[0] if server else None,
        "pg_dump": _run([tool.pg_dump, "--version"], env).strip(),
        "alembic_revision": [r[0] for r in revision],
    }


def backup(target: DatabaseTarget, settings: Settings, out: Path) -> dict[str, Any]:
    """Write a backup of the database and the report files into the empty folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"{out} is not empty")
    tool = tools(target)
    url, env = _split_password(target.bootstrap_url)
    _run([tool.pg_dump, "--format=custom", "--file", str(out / DUMP), "--dbname", url], env)

    if settings.storage_dir.is_dir():
        shutil.copytree(settings.storage_dir, out / FILES)
    checksums = {
        str(path.relative_to(out)): {"sha256": sha256(path), "bytes": path.stat().st_size}
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": target.database_name,
        "versions": _versions(target, tool),
        "files": checksums,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    log.info("backup.written", files=len(checksums))
    return manifest


def verify(source: Path) -> dict[str, Any]:
    """Check every checksum in the manifest; returns the manifest or raises."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError("unsupported backup format")
    if DUMP not in manifest["files"]:
        raise BackupError("the backup has no database dump")
    for name, entry in manifest["files"].items():
        path = source / name
        if not path.is_file() or sha256(path) != entry["sha256"]:
            raise BackupError(f"checksum mismatch: {name}")
    listed = set(manifest["files"])
    extra = [
        str(p.relative_to(source))
        for p in source.rglob("*")
        if p.is_file() and p.name != MANIFEST and str(p.relative_to(source)) not in listed
    ]
    if extra:
        raise BackupError(f"files not in the manifest: {', '.join(sorted(extra)[:5])}")
    return manifest


def database_is_empty(target: DatabaseTarget) -> bool:
    """True when the database holds no tables outside PostgreSQL's own schemas."""
    with psycopg.connect(target.bootstrap_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
        ).fetchone()
    return row is not None and row[0] == 0


def restore(target: DatabaseTarget, settings: Settings, source: Path) -> dict[str, Any]:
    """Restore ``source`` into the EMPTY database of ``target``; checksums are verified first."""
    manifest = verify(source)
    if not database_is_empty(target):
        raise BackupError("the target database is not empty; restore only into a new database")
    files_dir = source / FILES
    if files_dir.is_dir() and settings.storage_dir.exists() and any(settings.storage_dir.iterdir()):
        raise BackupError(f"the storage folder {settings.storage_dir} is not empty")

    # The dump grants to FailSafe's roles, which live in the cluster, not the database.
    ensure_roles(target.bootstrap_url)
    tool = tools(target)
    url, env = _split_password(target.bootstrap_url)
    _run(
        [
            tool.pg_restore,
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            url,
            str(source / DUMP),
        ],
        env,
    )
    if files_dir.is_dir():
        shutil.copytree(files_dir, settings.storage_dir, dirs_exist_ok=True)
    log.info("backup.restored", files=len(manifest["files"]))
    return manifest
