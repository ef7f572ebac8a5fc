from __future__ import annotations

import procrastinate
import psycopg
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.jobs.app import create_job_app, worker_context
from failsafe.runtime import Runtime
from failsafe.scans import service as scans
from failsafe.scans.runner import ScanHooks
from tests.connectors.conftest import SleepRecorder
from tests.connectors.fake_graph import FakeGraph
from tests.scans.conftest import add_microsoft_connection
from tests.world import World

TASK = scans.TASK_NAME


class WorkerDied(Exception):
    pass


async def _run_worker(app: procrastinate.App, runtime: Runtime, hooks: ScanHooks) -> None:
    async with app.open_async():
        await app.run_worker_async(
            queues=["scans"],
            wait=False,
            concurrency=1,
            additional_context={**worker_context(runtime), "scan_hooks": hooks},
        )


async def test_worker_crash_mid_persist_then_retry_completes_exactly_once(
    scan_runtime: Runtime, world: World, superuser: psycopg.Connection, sleeps: SleepRecorder
) -> None:
    engagement = world.engagements["eng_a1"]
    actor = SystemActor("test", engagement)
    connection = await add_microsoft_connection(scan_runtime, engagement)
    async with scan_runtime.database.transaction(actor) as session:
        view = await scans.request_scan(session, actor, connection)

    # One app per process, as in the worker (blueprints are bound to the app they join).
    app = create_job_app(scan_runtime)

    async def die() -> None:
        raise WorkerDied("killed inside the persistence transaction")

    await _run_worker(app, scan_runtime, ScanHooks(FakeGraph(users=9).transport(), sleeps, die))
    status, attempts = superuser.execute(
        "SELECT status::text, attempts FROM procrastinate_jobs WHERE task_name = %s", (TASK,)
    ).fetchone()  # type: ignore[misc]
    assert (status, attempts) == ("todo", 1)  # scheduled for a retry with back-off
    assert superuser.execute("SELECT count(*) FROM inventory_tenants").fetchone() == (0,)
    # Skip the back-off wait instead of sleeping through it.
    superuser.execute(
        "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = %s", (TASK,)
    )

    await _run_worker(app, scan_runtime, ScanHooks(FakeGraph(users=9).transport(), sleeps))
    assert superuser.execute(
        "SELECT status::text FROM procrastinate_jobs WHERE task_name = %s", (TASK,)
    ).fetchone() == ("succeeded",)
    async with scan_runtime.database.transaction(actor) as session:
        done = await scans.get_scan(session, view.id)
        identities = (
            await session.execute(
                text("SELECT count(*) FROM inventory_identities WHERE scan_id = :s"), {"s": view.id}
            )
        ).scalar_one()
    assert done.status == "succeeded" and identities == 9
    assert superuser.execute("SELECT count(*) FROM inventory_tenants").fetchone() == (1,)
