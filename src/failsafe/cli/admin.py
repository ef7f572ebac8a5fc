"""``failsafe admin``: FailSafe staff accounts (the only way an admin user comes to exist)."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from failsafe.accounts.passwords import PasswordService
from failsafe.accounts.service import create_admin, generate_password
from failsafe.cli.errors import cli_command
from failsafe.db.actor import SystemActor
from failsafe.runtime import Runtime, build_runtime

console = Console()
admin_app = typer.Typer(help="FailSafe staff (admin) users.", no_args_is_help=True)
ADMIN_CLI = SystemActor("cli.admin")


@admin_app.command("create")
@cli_command
def create(
    email: str = typer.Argument(..., help="The admin's email address."),
    name: str = typer.Option(..., "--name", help="Display name."),
    generate: bool = typer.Option(
        False, "--generate", help="Generate a random password and print it once."
    ),
) -> None:
    """Create an admin user (email verified; MFA enrolment is required at first sign-in)."""
    if generate:
        password = generate_password()
    else:
        password = typer.prompt(
            "Password (15+ characters)", hide_input=True, confirmation_prompt=True
        )
    runtime = build_runtime()
    user_id = asyncio.run(_create(runtime, email, name, password))
    console.print(f"admin created: {user_id}")
    if generate:
        console.print(f"password (shown once): {password}")
    console.print("MFA enrolment is required at first sign-in.")


async def _create(runtime: Runtime, email: str, name: str, password: str) -> str:
    try:
        async with runtime.database.transaction(ADMIN_CLI) as session:
            user = await create_admin(
                session,
                ADMIN_CLI,
                email=email,
                name=name,
                password=password,
                passwords=PasswordService.from_settings(runtime.settings),
            )
            return str(user.id)
    finally:
        await runtime.database.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(admin_app, name="admin")
