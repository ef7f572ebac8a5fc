"""``failsafe report``: render one report in the foreground and write it to a file."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import typer
from rich.console import Console

from failsafe.cli.errors import cli_command
from failsafe.db.actor import SystemActor
from failsafe.reports.build import build_view
from failsafe.reports.render import RenderedReport, render_pdf
from failsafe.reports.service import reportable_scan
from failsafe.runtime import Runtime, build_runtime

console = Console()


@cli_command
def report(
    engagement: uuid.UUID = typer.Option(..., "--engagement", help="Engagement id."),
    scan: uuid.UUID | None = typer.Option(
        None, "--scan", help="Scan id (default: the latest completed scan)."
    ),
    out: Path = typer.Option(..., "--out", help="Where to write the PDF.", dir_okay=False),
) -> None:
    """Render the PDF posture report of a stored scan (no queue, nothing stored)."""
    runtime = build_runtime()
    rendered = asyncio.run(_render(runtime, engagement, scan))
    out.write_bytes(rendered.pdf)
    console.print(
        f"wrote {out} ({rendered.size:,} bytes, {rendered.pages} pages, "
        f"sha256 {rendered.sha256[:16]}..., {rendered.seconds:.1f} s)"
    )


async def _render(
    runtime: Runtime, engagement: uuid.UUID, scan: uuid.UUID | None
) -> RenderedReport:
    # The operator acts as a system actor scoped to this one engagement: RLS still applies.
    actor = SystemActor("cli.report", engagement)
    try:
        async with runtime.database.transaction(actor) as session:
            chosen = await reportable_scan(session, engagement, scan)
            view = await build_view(session, chosen.id)
    finally:
        await runtime.database.dispose()
    return await asyncio.to_thread(render_pdf, view)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
