"""Queue a procrastinate job inside the caller's SQLAlchemy transaction.

The job row is written through procrastinate's own SQL function on the session's connection,
so it exists only if the caller's change commits (the same technique as the scans service).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

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
) -> int:
    """Queue ``task`` with ``args``; returns the job id."""
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
