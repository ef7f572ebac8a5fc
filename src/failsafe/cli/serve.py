"""``failsafe serve``: the web process."""

from __future__ import annotations

import typer
import uvicorn

from failsafe.cli.errors import cli_command
from failsafe.runtime import build_runtime
from failsafe.web.app import create_app


@cli_command
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the portal and the API."""
    runtime = build_runtime()
    uvicorn.run(create_app(runtime), host=host, port=port, log_config=None, proxy_headers=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
