"""``failsafe demo``: the whole product on one machine, from a fresh clone."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from failsafe.cli.errors import cli_command
from failsafe.db import migrate
from failsafe.db.urls import redacted
from failsafe.demo.seed import SEED_ACTOR, DemoSeed, seed_demo
from failsafe.runtime import Runtime, build_runtime

console = Console()


@cli_command
def demo() -> None:
    """Start the embedded database, migrate, seed demo accounts and print what was done."""
    runtime = build_runtime()
    where = "embedded server" if runtime.target.embedded else "DATABASE_URL"
    console.print(f"[bold]1.[/] database ({where}): {redacted(runtime.target.bootstrap_url)}")

    migrate.upgrade(runtime.target, runtime.app_password)
    console.print("[bold]2.[/] schema migrated to the latest revision")

    seed = asyncio.run(_seed(runtime))
    console.print(f"[bold]3.[/] demo accounts {'created' if seed.created else 'already present'}")
    _print_seed(seed)


async def _seed(runtime: Runtime) -> DemoSeed:
    try:
        async with runtime.database.transaction(SEED_ACTOR) as session:
            return await seed_demo(session)
    finally:
        await runtime.database.dispose()


def _print_seed(seed: DemoSeed) -> None:
    users = Table("user", "role", "account", title="Demo users")
    for user in seed.users:
        users.add_row(user.email, user.role, user.account)
    console.print(users)
    engagements = Table("engagement", "customer", "id", title="Demo engagements")
    for engagement in seed.engagements:
        engagements.add_row(engagement.name, engagement.customer, str(engagement.id))
    console.print(engagements)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
