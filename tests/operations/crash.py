"""Helpers for the kill-a-worker tests: start, block, kill and recover worker subprocesses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import procrastinate
import psycopg

from failsafe.db.engine import SEARCH_PATH_OPTION
from failsafe.db.urls import DatabaseTarget
from failsafe.operations.tasks import retry_stalled

REPO = Path(__file__).resolve().parents[2]
QUEUES = "operations,notifications,billing"


def worker_env(target: DatabaseTarget, data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": target.bootstrap_url,
        "FAILSAFE_APP_DATABASE_URL": target.app_url,
        "FAILSAFE_DATA_DIR": str(data_dir),
        "FAILSAFE_EMAIL_BACKEND": "file",
        "FS_TEST_QUEUES": QUEUES,
        **extra,
    }


def start_worker(env: dict[str, str], name: str, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.operations.worker_script", mode],
        cwd=REPO,
        env={**env, "PGAPPNAME": name},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def defer(conn: psycopg.Connection, task: str, queue: str, args: dict[str, Any]) -> int:
    row = conn.execute(
        "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(%s, %s, 0, NULL, NULL,"
        " CAST(%s AS jsonb), NULL)]::procrastinate_job_to_defer_v1[]))",
        (queue, task, json.dumps(args)),
    ).fetchone()
    assert row is not None
    return int(row[0])


def wait_until(predicate: Any, what: str, timeout: float = 90) -> None:
    """Poll the database for a state (no fixed sleeps standing in for synchronisation)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def blocked_at_checkpoint(conn: psycopg.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    ).fetchone()
    return bool(row and row[0])


def kill_worker(conn: psycopg.Connection, worker: subprocess.Popen[str], name: str) -> None:
    """kill -9, then end the dead process's server backends (PostgreSQL notices a vanished
    client only when it next reads from it)."""
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    if worker.stdout is not None:
        worker.stdout.close()
    conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
        (name,),
    )
    wait_until(
        lambda: (
            conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
            ).fetchone()
            == (0,)
        ),
        "the dead worker's connections to go",
    )


async def recover_stalled(target: DatabaseTarget) -> int:
    """What ``operations:recover_stalled`` does, with a zero heartbeat grace."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=target.app_url, kwargs={"options": SEARCH_PATH_OPTION}
        )
    )
    async with app.open_async():
        return await retry_stalled(app.job_manager, 0)


def job_status(conn: psycopg.Connection, job_id: int) -> str:
    row = conn.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", (job_id,)).fetchone()
    assert row is not None
    return str(row[0])
