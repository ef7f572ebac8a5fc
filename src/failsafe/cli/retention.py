"""``failsafe retention``: apply the retention periods now, or list what would go."""

from __future__ import annotations

import asyncio
import datetime as dt

import typer
from rich.console import Console

from failsafe.cli.errors import cli_command
from failsafe.operations.retention import apply_retention, plan_retention
from failsafe.runtime import Runtime, build_runtime

console = Console()


@cli_command
def retention(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would go; change nothing."),
) -> None:
    """Remove engagement data 12 months after completion, account data 90 days after
    termination and audit rows after 24 months."""
    runtime = build_runtime()
    asyncio.run(_run(runtime, dry_run))


async def _run(runtime: Runtime, dry_run: bool) -> None:
    now = dt.datetime.now(dt.UTC)
    try:
        if dry_run:
            plan = await plan_retention(runtime.database, runtime.settings, now=now)
            console.print(f"retention dry run at {now.isoformat(timespec='seconds')}")
            console.print(f"engagements completed over 12 months ago: {len(plan.engagements)}")
            for engagement_id, completed_at in plan.engagements:
                console.print(f"  engagement {engagement_id} completed {completed_at.date()}")
            console.print(f"report files of those engagements: {plan.engagement_files}")
            console.print(f"accounts terminated over 90 days ago: {len(plan.accounts)}")
            for account_id, terminated_at in plan.accounts:
                console.print(f"  account {account_id} terminated {terminated_at.date()}")
            console.print(f"audit rows older than 24 months: {plan.audit_rows}")
            return
        result = await apply_retention(runtime.database, runtime.settings, now=now)
        console.print(f"retention applied: {result.summary()}")
    finally:
        await runtime.database.dispose()


def register(app: typer.Typer) -> None:
    app.command("retention")(retention)
