"""``failsafe worker``: run queued jobs and the periodic schedule."""

from __future__ import annotations

import asyncio

import typer

from failsafe.cli.errors import cli_command
from failsafe.connectors.warmup import warm_up
from failsafe.jobs.app import create_job_app, worker_context
from failsafe.runtime import Runtime, build_runtime


@cli_command
def worker(
    concurrency: int = typer.Option(4, min=1, max=64, help="Jobs run at once by this process."),
    queues: list[str] | None = typer.Option(None, "--queue", help="Only these queues."),
    once: bool = typer.Option(False, help="Stop when the queue is empty instead of waiting."),
) -> None:
    """Run the worker (start as many as you like; periodic jobs run once per slot)."""
    runtime = build_runtime()
    warm_up()
    asyncio.run(_run(runtime, concurrency, queues, wait=not once))


async def _run(runtime: Runtime, concurrency: int, queues: list[str] | None, wait: bool) -> None:
    app = create_job_app(runtime)
    try:
        async with app.open_async():
            options: dict[str, object] = {} if not queues else {"queues": queues}
            await app.run_worker_async(
                concurrency=concurrency,
                wait=wait,
                additional_context=worker_context(runtime),
                **options,  # type: ignore[arg-type]
            )
    finally:
        await runtime.database.dispose()


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
