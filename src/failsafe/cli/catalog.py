"""``failsafe catalog vendors|scopes|skus``: the shipped catalogs as a table or JSON."""

from __future__ import annotations

import json
from typing import Literal

import typer
from rich.console import Console
from rich.table import Table

from failsafe.catalog.loader import load_catalogs
from failsafe.cli.errors import cli_command

Format = Literal["table", "json"]
_FORMAT = typer.Option("table", "--format", help="table or json.")

catalog_app = typer.Typer(help="Show the shipped vendor, scope and SKU catalogs.")


def _emit(title: str, columns: list[str], rows: list[dict[str, object]], fmt: Format) -> None:
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{title} ({len(rows)})")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row[c]) for c in columns))
    Console().print(table)


def _cell(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


@catalog_app.command("vendors")
@cli_command
def vendors(
    category: str | None = typer.Option(None, help="Only this category."),
    output_format: Format = _FORMAT,
) -> None:
    """SaaS vendors: id, name, domains, category and risk."""
    catalog = load_catalogs().vendors
    rows: list[dict[str, object]] = [
        v.model_dump(mode="json")
        for v in catalog.by_id.values()
        if category is None or v.category == category
    ]
    _emit("Vendors", ["id", "name", "domains", "category", "risk"], rows, output_format)


@catalog_app.command("scopes")
@cli_command
def scopes(
    provider: str | None = typer.Option(None, help="Only microsoft or google."),
    output_format: Format = _FORMAT,
) -> None:
    """OAuth scopes and Graph permissions with their risk tiers."""
    rows: list[dict[str, object]] = [
        s.model_dump(mode="json")
        for s in load_catalogs().scopes.scopes
        if provider is None or s.provider == provider
    ]
    columns = ["provider", "name", "delegated_tier", "application_tier", "reason"]
    _emit("Scopes", columns, rows, output_format)


@catalog_app.command("skus")
@cli_command
def skus(
    provider: str | None = typer.Option(None, help="Only microsoft or google."),
    output_format: Format = _FORMAT,
) -> None:
    """License SKUs with list prices and what each includes."""
    rows: list[dict[str, object]] = [
        s.model_dump(mode="json")
        for s in load_catalogs().skus.skus
        if provider is None or s.provider == provider
    ]
    columns = ["provider", "part_number", "name", "price", "includes", "sku_id"]
    _emit("License SKUs", columns, rows, output_format)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
