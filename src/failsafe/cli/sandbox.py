"""``failsafe sandbox``: serve the simulated tenants, or print their ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from failsafe.cli.errors import cli_command
from failsafe.sandbox import Sandbox, TenantSpec, ground_truth, serve

console = Console()
sandbox_app = typer.Typer(help="Built-in sandbox tenants (Graph and Google simulators).")


def _spec(users: int, seed: int, profile: str) -> TenantSpec:
    if profile not in ("clean", "risky"):
        raise typer.BadParameter("profile must be clean or risky")
    try:
        return TenantSpec(seed=seed, users=users, profile=profile)  # type: ignore[arg-type]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@sandbox_app.command("serve")
@cli_command
def serve_command(
    port: int = typer.Option(8765, min=1, max=65535, help="Loopback TCP port."),
    users: int = typer.Option(50, min=1, help="Users per tenant."),
    seed: int = typer.Option(1, help="Generation seed."),
    profile: str = typer.Option("clean", help="clean or risky."),
    latency_ms: int = typer.Option(0, min=0, help="Added latency per request."),
    key_file: Path = typer.Option(
        Path("sandbox-service-account.json"), help="Where to write the Google key file."
    ),
) -> None:
    """Serve the sandbox on 127.0.0.1 and print the settings and demo credentials."""
    spec = _spec(users, seed, profile)

    def ready(sandbox: Sandbox) -> None:
        sandbox.write_key_file(key_file)
        ms, google = sandbox.microsoft(), sandbox.google()
        env = {f"FAILSAFE_{k.upper()}": v for k, v in sandbox.settings_overrides().items()}
        console.print("[bold]Settings overrides[/]")
        for name, value in env.items():
            console.print(f"  {name}={value}")
        console.print("[bold]Microsoft[/]")
        console.print(f"  tenant id     {ms.tenant_id} ({ms.domain})")
        console.print(f"  client id     {ms.client_id}")
        console.print(f"  client secret {ms.client_secret}")
        console.print("[bold]Google[/]")
        console.print(f"  customer id   {google.customer_id} ({google.domain})")
        console.print(f"  admin         {google.admin_email}")
        console.print(f"  key file      {key_file}")

    serve([spec], port, latency_ms=latency_ms, on_ready=ready)


@sandbox_app.command("truth")
@cli_command
def truth_command(
    users: int = typer.Option(50, min=1, help="Users per tenant."),
    seed: int = typer.Option(1, help="Generation seed."),
    profile: str = typer.Option("risky", help="clean or risky."),
) -> None:
    """Print the planted findings (rule id, subject) per provider as JSON."""
    truth = ground_truth(_spec(users, seed, profile))
    typer.echo(json.dumps(truth.to_dict(), indent=2, sort_keys=True))


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
