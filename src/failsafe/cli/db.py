"""``failsafe db``: migrate and locate the database."""

from __future__ import annotations

import typer
from rich.console import Console

from failsafe.cli.errors import cli_command
from failsafe.db import migrate
from failsafe.db.embedded import stop_embedded_server
from failsafe.db.urls import redacted
from failsafe.errors import ConfigurationError
from failsafe.runtime import build_runtime
from failsafe.settings import Settings

console = Console()
db_app = typer.Typer(help="Database: migrations and connection details.", no_args_is_help=True)


@db_app.command("upgrade")
@cli_command
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create the roles if needed and migrate the database to the latest schema."""
    runtime = build_runtime()
    migrate.upgrade(runtime.target, runtime.app_password, revision)
    console.print(f"database migrated to {revision}: {redacted(runtime.target.bootstrap_url)}")


@db_app.command("url")
@cli_command
def url(
    role: str = typer.Option("app", help="Which connection: app (serve, worker) or owner."),
    show_password: bool = typer.Option(False, help="Print the password instead of masking it."),
) -> None:
    """Print the connection string FailSafe uses (starting the embedded server if needed)."""
    if role not in ("app", "owner"):
        raise typer.BadParameter("role must be 'app' or 'owner'")
    target = build_runtime().target
    chosen = target.app_url if role == "app" else target.bootstrap_url
    typer.echo(chosen if show_password else redacted(chosen))


@db_app.command("stop")
@cli_command
def stop() -> None:
    """Stop the embedded PostgreSQL server (it keeps running between commands otherwise)."""
    settings = Settings()
    if settings.database_url is not None:
        raise ConfigurationError("DATABASE_URL is set: FailSafe does not manage that server")
    stopped = stop_embedded_server(settings.data_dir)
    typer.echo("embedded server stopped" if stopped else "no embedded server was running")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
