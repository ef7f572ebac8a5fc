"""Queue a job in the caller's transaction: the job exists exactly when the transaction commits."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, NULL,"
    " CAST(:args AS jsonb), NULL)]::procrastinate_job_to_defer_v1[]))"
)


async def defer_job(
    session: AsyncSession,
    queue: str,
    task: str,
    args: dict[str, Any],
    *,
    lock: str | None = None,
) -> None:
    """Queue ``task`` (``namespace:name``) with ``args`` on ``queue``; ``lock`` keeps one such
    job running at a time."""
    await session.execute(
        _DEFER, {"queue": queue, "task": task, "lock": lock, "args": json.dumps(args)}
    )
