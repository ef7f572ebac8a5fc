"""``failsafe permissions``: every permission and scope FailSafe asks for, and why."""

from __future__ import annotations

import json
from typing import Literal

import typer
from rich.console import Console
from rich.table import Table

from failsafe.cli.errors import cli_command
from failsafe.connections.manifest import PERMISSIONS, Permission


def _as_dict(permission: Permission) -> dict[str, object]:
    return {
        "provider": permission.provider,
        "name": permission.name,
        "kind": permission.kind,
        "required": permission.required,
        "sections": [s.value for s in permission.sections],
        "reason": permission.reason,
        "no_read_only_variant": permission.no_read_only_variant,
    }


@cli_command
def permissions(
    provider: str | None = typer.Option(None, help="Only microsoft or google."),
    output_format: Literal["table", "json"] = typer.Option(
        "table", "--format", help="table or json."
    ),
) -> None:
    """Show the read-only permission manifest (Graph application permissions, Google scopes)."""
    selected = [p for p in PERMISSIONS if provider is None or p.provider == provider]
    if output_format == "json":
        typer.echo(json.dumps([_as_dict(p) for p in selected], indent=2))
        return
    table = Table(title="FailSafe asks for these read-only permissions", show_lines=True)
    for column in ("provider", "permission / scope", "needed", "sections", "why"):
        table.add_column(column, overflow="fold")
    for p in selected:
        why = p.reason + (
            f"\n[yellow]No read-only variant:[/] {p.no_read_only_variant}"
            if p.no_read_only_variant
            else ""
        )
        table.add_row(
            p.provider,
            p.name,
            "required" if p.required else "optional",
            ", ".join(s.value for s in p.sections),
            why,
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("permissions")(permissions)
