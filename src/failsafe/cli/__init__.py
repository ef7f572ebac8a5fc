"""The ``failsafe`` command. Each domain adds its commands from its own module."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="failsafe",
    help="FailSafe: read-only SaaS posture scanning for Microsoft 365 and Google Workspace.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Each module exposes ``register(app)``; keep one name per line, in help order.
COMMAND_MODULES = (
    "demo",
    "db",
    "serve",
    "secrets",
    "sandbox",
    "worker",
    "admin",
    "report",
    "scan",
    "permissions",
    "rules",
    "catalog",
    "retention",
    "backup",
    "site",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"failsafe.cli.{_name}").register(app)


def main() -> None:
    """Console-script entry point."""
    app()
