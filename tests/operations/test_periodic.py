"""Periodic jobs run once per slot, however many workers run the schedule."""

from __future__ import annotations

import asyncio
from pathlib import Path

import procrastinate
import psycopg

from failsafe.db.engine import SEARCH_PATH_OPTION
from failsafe.db.urls import DatabaseTarget
from failsafe.jobs.app import create_job_app
from failsafe.operations.runs import run_once
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import generate_key
from tests.operations import crash


async def test_procrastinate_defers_a_periodic_slot_once(
    runtime: Runtime, fresh_target: DatabaseTarget, superuser: psycopg.Connection
) -> None:
    """The (task, periodic_id, defer_timestamp) unique key, raced from two connections."""
    first = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=fresh_target.app_url, kwargs={"options": SEARCH_PATH_OPTION}
        )
    )
    second = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=fresh_target.app_url, kwargs={"options": SEARCH_PATH_OPTION}
        )
    )
    job_app = create_job_app(runtime)
    task = job_app.tasks["operations:hard_delete"]
    timestamp = 1_800_000_000
    async with first.open_async(), second.open_async():
        job = task.configure(task_kwargs={"timestamp": timestamp}).job
        results = await asyncio.gather(
            *(
                app.job_manager.defer_periodic_job(job, periodic_id="", defer_timestamp=timestamp)
                for app in (first, second, first, second)
            )
        )
    assert sum(r is not None for r in results) == 1
    rows = superuser.execute(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'operations:hard_delete'"
    ).fetchone()
    assert rows == (1,)
    unique = superuser.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conname = 'procrastinate_periodic_defers_unique'"
    ).fetchone()
    assert unique is not None and "task_name, periodic_id, defer_timestamp" in unique[0]


async def test_run_once_guards_a_slot(runtime: Runtime) -> None:
    runs: list[int] = []

    async def body() -> dict[str, int]:
        runs.append(1)
        return {"n": len(runs)}

    assert await run_once(runtime.database, "test_job", "2026-12-07T04:00:00Z", body) == {"n": 1}
    assert await run_once(runtime.database, "test_job", "2026-12-07T04:00:00Z", body) is None
    assert await run_once(runtime.database, "test_job", "2026-12-08T04:00:00Z", body) == {"n": 2}


def test_two_workers_run_each_periodic_slot_once(
    fresh_target: DatabaseTarget, superuser: psycopg.Connection, tmp_path: Path
) -> None:
    env = crash.worker_env(
        fresh_target,
        tmp_path,
        {"FS_TEST_PERIODIC": "1", "FAILSAFE_SECRET_KEYS": f"k1:{generate_key()}"},
    )
    workers = [crash.start_worker(env, f"fs-test-periodic-{i}", "wait") for i in (1, 2)]
    try:
        crash.wait_until(
            lambda: (
                superuser.execute(
                    "SELECT count(*) FROM procrastinate_workers"
                    " WHERE last_heartbeat > now() - interval '5 seconds'"
                ).fetchone()
                == (2,)
            ),
            "two live workers",
        )
        # Both deferrers have looked at the schedule once they both beat; the minutely drain
        # for the current minute is then deferred and finished.
        crash.wait_until(
            lambda: (
                superuser.execute(
                    "SELECT count(*) FROM procrastinate_jobs j"
                    " JOIN procrastinate_periodic_defers d ON d.job_id = j.id"
                    " WHERE j.task_name = 'notifications:deliver_outbox'"
                    " AND j.status = 'succeeded'"
                ).fetchone()
                != (0,)
            ),
            "a periodic drain to finish",
        )
    finally:
        for worker in workers:
            worker.terminate()
            worker.communicate(timeout=30)
    per_slot = superuser.execute(
        "SELECT task_name, args->>'timestamp', count(*) FROM procrastinate_jobs"
        " WHERE args ? 'timestamp' GROUP BY 1, 2"
    ).fetchall()
    assert per_slot, "the workers deferred periodic jobs"
    assert all(n == 1 for _, _, n in per_slot), per_slot
    defers = superuser.execute(
        "SELECT task_name, defer_timestamp, count(*) FROM procrastinate_periodic_defers"
        " GROUP BY 1, 2 HAVING count(*) > 1"
    ).fetchall()
    assert defers == []
