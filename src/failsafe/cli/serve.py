"""``failsafe serve``: the web process."""

from __future__ import annotations

import typer
import uvicorn

from failsafe.cli.errors import cli_command
from failsafe.runtime import build_runtime
from failsafe.web.app import create_app
from failsafe.web.workers import Supervisor


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
        uvicorn.run(
            create_app(runtime),
            host=host,
            port=port,
            log_config=None,
            proxy_headers=True,
            access_log=runtime.settings.access_log,
        )
        return

    # One Python process is bound to one core; sessions, CSRF tokens and rate limits live in
    # PostgreSQL, so any worker serves any request.
    Supervisor(host, port, workers, access_log=runtime.settings.access_log).run()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
