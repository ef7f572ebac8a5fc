"""``failsafe rules``: every detection rule with its severity, providers and control ids."""

from __future__ import annotations

import json
from typing import Literal

import typer
from rich.console import Console
from rich.table import Table

from failsafe.cli.errors import cli_command
from failsafe.detections.engine import rule_specs
from failsafe.detections.model import RuleSpec


def rule_dict(spec: RuleSpec) -> dict[str, object]:
    """One rule as plain JSON-able data."""
    return {
        "id": spec.id,
        "family": spec.family.value,
        "severity": spec.severity.value,
        "providers": list(spec.providers),
        "subject": spec.subject_kind,
        "title": spec.title,
        "description": spec.description,
        "remediation": dict(spec.remediation),
        "requires": [s.value for s in spec.requires],
        "requires_any": [s.value for s in spec.requires_any],
        "controls": {fw.value: list(ids) for fw, ids in spec.controls.items()},
    }


@cli_command
def rules(
    family: str | None = typer.Option(None, help="Only this family (e.g. identity)."),
    output_format: Literal["table", "json"] = typer.Option(
        "table", "--format", help="table or json."
    ),
) -> None:
    """List every detection rule with its control mappings."""
    specs = [s for s in rule_specs() if family is None or s.family.value == family]
    if output_format == "json":
        typer.echo(json.dumps([rule_dict(s) for s in specs], indent=2))
        return
    table = Table(title=f"{len(specs)} detection rules", show_lines=True)
    for column in ("id", "family", "severity", "providers", "title", "controls"):
        table.add_column(column, overflow="fold")
    for spec in specs:
        controls = "\n".join(f"{fw.value}: {', '.join(ids)}" for fw, ids in spec.controls.items())
        table.add_row(
            spec.id,
            spec.family.value,
            spec.severity.value,
            ", ".join(spec.providers),
            spec.title,
            controls,
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("rules")(rules)
