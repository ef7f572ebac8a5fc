"""``failsafe scan``: run a scan in the foreground with a progress bar.

Two modes: ``--engagement ID`` scans each active connection of the engagement through the
database (the same runner the worker uses, without the queue); ``--credentials FILE --provider``
collects one tenant from whatever endpoints the settings point at, with no database at all.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from failsafe.cli.errors import cli_command
from failsafe.connections import credentials as creds
from failsafe.connections.service import list_connections
from failsafe.connectors.collect import collect_tenant
from failsafe.connectors.plan import CollectionPlan
from failsafe.db.actor import SystemActor
from failsafe.detections.engine import evaluate, findings_of
from failsafe.errors import ValidationFailed
from failsafe.inventory.load import load_inventory
from failsafe.inventory.serialize import inventory_to_dict
from failsafe.logging import configure_logging
from failsafe.reports.findings import stored_findings
from failsafe.runtime import Runtime, build_runtime
from failsafe.scans.runner import ScanHooks, execute_scan
from failsafe.scans.service import get_scan, request_scan
from failsafe.settings import Settings

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
    )


@cli_command
def scan(
    engagement: uuid.UUID | None = typer.Option(None, help="Scan every active connection."),
    credentials: Path | None = typer.Option(None, help="Credentials JSON (no database mode)."),
    provider: str | None = typer.Option(None, help="microsoft or google (with --credentials)."),
    out: Path | None = typer.Option(None, help="Write the inventory and findings as JSON here."),
    no_mail: bool = typer.Option(False, help="Skip mail metadata (with --credentials)."),
) -> None:
    """Scan a tenant now and show progress."""
    if (engagement is None) == (credentials is None):
        raise ValidationFailed("give exactly one of --engagement or --credentials")
    if credentials is not None:
        if provider not in ("microsoft", "google"):
            raise ValidationFailed("--provider must be microsoft or google")
        document = asyncio.run(_offline(credentials, provider, not no_mail))  # type: ignore[arg-type]
    else:
        assert engagement is not None
        document = asyncio.run(_engagement(build_runtime(), engagement))
    if out is not None:
        out.write_text(json.dumps(document, indent=2))
        console.print(f"inventory and findings written to {out}")


async def _offline(
    path: Path, provider: Literal["microsoft", "google"], mail: bool
) -> dict[str, Any]:
    settings = Settings()
    configure_logging(settings)
    opened = creds.load_file(path, provider, settings)
    now = datetime.now(UTC)
    plan = CollectionPlan(
        now, now - timedelta(days=settings.scan_mail_lookback_days) if mail else None
    )
    with _progress() as bar:
        task = bar.add_task(provider, total=100, detail="")

        async def progress(percent: int, detail: str) -> None:
            bar.update(task, completed=percent, detail=detail)

        collected = await collect_tenant(settings, opened, plan, progress=progress)
        bar.update(task, completed=100, detail="done")
    _summary(collected.inventory.sections.values())
    findings = findings_of(evaluate(collected.inventory))
    console.print(f"  {len(findings)} findings")
    return {
        "scans": [
            {
                "provider": provider,
                "requests": collected.stats.sent,
                "inventory": inventory_to_dict(collected.inventory),
                "findings": [_jsonable(dataclasses.asdict(f)) for f in findings],
            }
        ]
    }


async def _engagement(runtime: Runtime, engagement_id: uuid.UUID) -> dict[str, Any]:
    actor = SystemActor("cli-scan", engagement_id)
    results = []
    try:
        async with runtime.database.transaction(actor) as session:
            connections = [
                c for c in await list_connections(session, engagement_id) if c.status == "active"
            ]
        if not connections:
            raise ValidationFailed("the engagement has no active connection to scan")
        with _progress() as bar:
            for connection in connections:
                async with runtime.database.transaction(actor) as session:
                    view = await request_scan(session, actor, connection.id, enqueue=False)
                task = bar.add_task(
                    f"{connection.provider} {connection.tenant_ref}", total=100, detail=""
                )
                status = await execute_scan(
                    runtime,
                    view.id,
                    engagement_id,
                    hooks=ScanHooks(on_progress=_updater(bar, task)),
                )
                bar.update(task, completed=100, detail=status)
                results.append(await _scan_document(runtime, actor, view.id))
    finally:
        await runtime.database.dispose()
    return {"scans": results}


def _updater(bar: Progress, task: TaskID):  # type: ignore[no-untyped-def]
    async def update(percent: int, detail: str) -> None:
        bar.update(task, completed=percent, detail=detail)

    return update


async def _scan_document(
    runtime: Runtime, actor: SystemActor, scan_id: uuid.UUID
) -> dict[str, Any]:
    async with runtime.database.transaction(actor) as session:
        view = await get_scan(session, scan_id)
        document: dict[str, Any] = {
            "scan_id": str(scan_id),
            "status": view.status,
            "sections": view.sections,
            "error": view.error,
        }
        if view.status in ("succeeded", "partial"):
            document["inventory"] = inventory_to_dict(await load_inventory(session, scan_id))
            document["findings"] = [
                _jsonable(dataclasses.asdict(f)) for f in await stored_findings(session, scan_id)
            ]
    return document


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    """Enums by value, ids and times as strings (what ``json.dumps`` cannot take)."""
    encoded = json.dumps(record, default=lambda v: getattr(v, "value", str(v)))
    decoded: dict[str, Any] = json.loads(encoded)
    return decoded


def _summary(sections: Any) -> None:
    for result in sections:
        mark = (
            "[green]collected[/]"
            if result.status.value == "collected"
            else "[yellow]not assessed[/]"
        )
        console.print(f"  {result.section.value:<20} {mark} {result.reason or ''}")


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
