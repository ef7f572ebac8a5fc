"""Once per slot: a marker row per (job, slot) makes periodic bodies idempotent.

Procrastinate already defers a periodic job once per (task, periodic_id, timestamp) however many
workers run the schedule; this marker is the second guard, for a job retried after a crash or
deferred by hand for a slot that already ran. A slot whose run crashed before finishing has a
marker without ``finished_at`` and runs again: every body is idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database

log = structlog.get_logger(__name__)

_START = text(
    "INSERT INTO job_runs (name, slot, started_at) VALUES (:name, :slot, :now)"
    " ON CONFLICT (name, slot) DO UPDATE SET started_at = EXCLUDED.started_at"
    " WHERE job_runs.finished_at IS NULL RETURNING name"
)
_FINISH = text(
    "UPDATE job_runs SET finished_at = :now, result = CAST(:result AS jsonb)"
    " WHERE name = :name AND slot = :slot"
)


def slot_of(timestamp: int | float) -> str:
    """The slot label of a periodic timestamp (UTC, to the second)."""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def run_once(
    database: Database,
    name: str,
    slot: str,
    body: Callable[[], Awaitable[Mapping[str, Any]]],
) -> Mapping[str, Any] | None:
    """Run ``body`` unless slot ``slot`` of job ``name`` already finished; None when skipped."""
    actor = SystemActor(f"jobs.{name}")
    now = dt.datetime.now(dt.UTC)
    async with database.transaction(actor) as session:
        started = (await session.execute(_START, {"name": name, "slot": slot, "now": now})).first()
    if started is None:
        log.info("job.slot_already_done", job=name, slot=slot)
        return None

    result = await body()

    async with database.transaction(actor) as session:
        await session.execute(
            _FINISH,
            {
                "name": name,
                "slot": slot,
                "now": dt.datetime.now(dt.UTC),
                "result": json.dumps(dict(result), default=str),
            },
        )
    log.info("job.slot_done", job=name, slot=slot)
    return result
