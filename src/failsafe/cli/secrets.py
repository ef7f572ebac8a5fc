"""``failsafe secrets``: generate keys and re-seal stored secrets with the primary key."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from failsafe.cli.errors import cli_command
from failsafe.db.actor import SystemActor
from failsafe.runtime import Runtime, build_runtime
from failsafe.secrets.keyring import generate_key
from failsafe.secrets.rotation import RotationResult, rotate_all

console = Console()
secrets_app = typer.Typer(help="Sealed secrets: keys and rotation.", no_args_is_help=True)


@secrets_app.command("generate-key")
def generate(key_id: str = typer.Argument(..., help="Id for the new key, e.g. k2026b.")) -> None:
    """Print a new key entry to put first in FAILSAFE_SECRET_KEYS."""
    typer.echo(f"{key_id}:{generate_key()}")


@secrets_app.command("rotate")
@cli_command
def rotate() -> None:
    """Re-seal every stored secret with the first key of FAILSAFE_SECRET_KEYS."""
    runtime = build_runtime()
    results = asyncio.run(_rotate(runtime))
    table = Table("column", "examined", "re-sealed")
    for result in results:
        table.add_row(result.column, str(result.examined), str(result.resealed))
    console.print(table)
    console.print(f"primary key is now {runtime.keyring.primary_id}")


async def _rotate(runtime: Runtime) -> list[RotationResult]:
    try:
        async with runtime.database.transaction(SystemActor("secrets.rotate")) as session:
            return await rotate_all(session, runtime.keyring)
    finally:
        await runtime.database.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(secrets_app, name="secrets")
