"""A worker subprocess for crash tests: the real job app, with a checkpoint hook that blocks on
a PostgreSQL advisory lock the test holds, a fast heartbeat, and (unless asked) no periodic
deferrer so only the jobs the test queued run.

Usage: python -m tests.operations.worker_script wait|once
"""

from __future__ import annotations

import asyncio
import os
import sys

import psycopg

from failsafe.jobs.app import create_job_app, worker_context
from failsafe.operations import hooks
from failsafe.runtime import build_runtime


def lock_key(name: str) -> str:
    return f"fs-test:{name}"


async def blocking_checkpoint(name: str) -> None:
    url = os.environ["DATABASE_URL"]
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (lock_key(name),))
        await conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (lock_key(name),))
    print(f"checkpoint passed: {name}", flush=True)


async def main(mode: str) -> None:
    hooks.checkpoint = blocking_checkpoint
    runtime = build_runtime()
    app = create_job_app(runtime)
    if not os.environ.get("FS_TEST_PERIODIC"):
        app.periodic_registry.periodic_tasks.clear()
    queues = [q for q in os.environ.get("FS_TEST_QUEUES", "").split(",") if q] or None
    async with app.open_async():
        await app.run_worker_async(
            concurrency=1,
            wait=mode == "wait",
            queues=queues,
            additional_context=worker_context(runtime),
            update_heartbeat_interval=0.5,
            stalled_worker_timeout=2,
            fetch_job_polling_interval=0.2,
        )
    await runtime.database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
