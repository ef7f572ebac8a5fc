"""``failsafe backup`` and ``failsafe restore``: see docs/recovery.md."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from failsafe.cli.errors import cli_command
from failsafe.operations.backup import backup as run_backup
from failsafe.operations.backup import restore as run_restore
from failsafe.runtime import build_runtime

console = Console()


@cli_command
def backup(
    out: Path = typer.Option(..., "--out", help="An empty folder for the backup."),
) -> None:
    """Dump the database (pg_dump custom format) and the report files, with a manifest."""
    runtime = build_runtime()
    manifest = run_backup(runtime.target, runtime.settings, out)
    console.print(f"backup written to {out}: {len(manifest['files'])} files, checksums in manifest")


@cli_command
def restore(
    source: Path = typer.Option(..., "--from", help="A folder written by failsafe backup."),
) -> None:
    """Restore a backup into an EMPTY database after verifying its checksums."""
    runtime = build_runtime()
    manifest = run_restore(runtime.target, runtime.settings, source)
    console.print(
        f"restored backup of {manifest['created_at']} ({manifest['versions']['failsafe']})"
    )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
