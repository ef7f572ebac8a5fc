"""``failsafe serve``: the web process."""

from __future__ import annotations

import typer
import uvicorn

from failsafe.cli.errors import cli_command
from failsafe.runtime import build_runtime
from failsafe.web.app import create_app

# What each worker process imports when there is more than one (uvicorn needs an import path).
APP_FACTORY = "failsafe.web.app:app_from_environment"


@cli_command
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(
        1, min=1, max=64, help="Web processes sharing the port; one per core uses them all."
    ),
) -> None:
    """Serve the portal and the API."""
    # Built here even when workers build their own: bad settings fail before any process starts.
    runtime = build_runtime()
    if workers == 1:
        uvicorn.run(create_app(runtime), host=host, port=port, log_config=None, proxy_headers=True)
        return

    # One Python process is bound to one core; sessions, CSRF tokens and rate limits live in
    # PostgreSQL, so any worker serves any request.
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
