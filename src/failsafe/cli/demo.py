"""``failsafe demo``: the whole product on one machine, from a fresh clone."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from failsafe.accounts.service import set_demo_password
from failsafe.cli.errors import cli_command
from failsafe.db import migrate
from failsafe.db.urls import redacted
from failsafe.demo.run import (
    DEMO_TENANT,
    DemoScan,
    sandbox_runtime,
    scan_demo_engagements,
    serve_portal,
)
from failsafe.demo.seed import SEED_ACTOR, DemoSeed, seed_demo
from failsafe.runtime import Runtime, build_runtime
from failsafe.sandbox import Sandbox, running_sandbox

# Wide enough that sign-in details and report paths print on one line each.
console = Console(width=160)


@cli_command
def demo(
    serve: bool = typer.Option(True, help="Serve the portal when the scans are done."),
    host: str = typer.Option("127.0.0.1", help="Interface the portal listens on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port the portal listens on."),
) -> None:
    """Start the database, seed demo accounts, scan sandbox tenants, report, serve the portal."""
    runtime = build_runtime()
    where = "embedded server" if runtime.target.embedded else "DATABASE_URL"
    console.print(f"[bold]1.[/] database ({where}): {redacted(runtime.target.bootstrap_url)}")

    migrate.upgrade(runtime.target, runtime.app_password)
    console.print("[bold]2.[/] schema migrated to the latest revision")

    with running_sandbox(DEMO_TENANT) as sandbox:
        pointed = sandbox_runtime(runtime, sandbox)
        seed, passwords, scans = asyncio.run(_populate(pointed, sandbox))
        console.print(
            f"[bold]3.[/] demo accounts {'created' if seed.created else 'already present'}"
        )
        _print_users(seed, passwords)
        console.print(f"[bold]4.[/] sandbox tenants scanned ({sandbox.root})")
        _print_scans(scans)
        if serve:
            console.print(
                f"[bold]5.[/] portal on http://{host}:{port}/ - sign in with a user above;"
                " partners and admins enrol an authenticator app first. Ctrl-C stops."
            )
            asyncio.run(_serve(pointed, host, port))


async def _populate(
    runtime: Runtime, sandbox: Sandbox
) -> tuple[DemoSeed, dict[str, str], list[DemoScan]]:
    try:
        async with runtime.database.transaction(SEED_ACTOR) as session:
            seed = await seed_demo(session)
            passwords = {u.email: await set_demo_password(session, u.email) for u in seed.users}
        scans = await scan_demo_engagements(
            runtime,
            sandbox,
            seed,
            runtime.settings.data_dir / "demo-reports",
        )
    finally:
        await runtime.database.dispose()
    return seed, passwords, scans


async def _serve(runtime: Runtime, host: str, port: int) -> None:
    try:
        await serve_portal(runtime, host, port)
    finally:
        await runtime.database.dispose()


def _print_users(seed: DemoSeed, passwords: dict[str, str]) -> None:
    users = Table("user", "password (new each run)", "role", "account", title="Demo users")
    for user in seed.users:
        users.add_row(user.email, passwords[user.email], user.role, user.account)
    console.print(users)


def _print_scans(scans: list[DemoScan]) -> None:
    table = Table("engagement", "tenant", "scan", "findings", "report", title="Demo scans")
    for scan in scans:
        table.add_row(
            scan.engagement,
            scan.provider,
            scan.status,
            str(scan.findings),
            str(scan.report) if scan.report else "not rendered",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
