"""Queue a procrastinate job inside the caller's SQLAlchemy transaction.

The job row is written through procrastinate's own SQL function on the session's connection,
so it exists only if the caller's change commits (the same technique as the scans service).
With a queueing lock, a job already waiting under that lock makes this a no-op instead of an
error that would abort the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_DEFER_UNIQUE = text(
    "INSERT INTO procrastinate_jobs (queue_name, task_name, queueing_lock, args)"
    " VALUES (:queue, :task, :queueing_lock, CAST(:args AS jsonb))"
    " ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING RETURNING id"
)
_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock,"
    " :queueing_lock, CAST(:args AS jsonb), NULL)]::procrastinate_job_to_defer_v1[]))"
)


async def defer_in_transaction(
    session: AsyncSession,
    task: str,
    *,
    queue: str,
    args: Mapping[str, Any],
    lock: str | None = None,
    queueing_lock: str | None = None,
) -> int | None:
    """Queue ``task`` with ``args``; returns the job id (None when one was already waiting)."""
    if queueing_lock is not None and lock is None:
        row = (
            await session.execute(
                _DEFER_UNIQUE,
                {
                    "queue": queue,
                    "task": task,
                    "queueing_lock": queueing_lock,
                    "args": json.dumps(dict(args)),
                },
            )
        ).first()
        return int(row[0]) if row else None
    result = await session.execute(
        _DEFER,
        {
            "queue": queue,
            "task": task,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": json.dumps(dict(args)),
        },
    )
    return int(result.scalar_one())
