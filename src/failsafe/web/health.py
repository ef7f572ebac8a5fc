"""Liveness and readiness, for an external uptime monitor.

Readiness checks the database as the app role and the job queue: the queue's tables answer and
at least one worker has sent a heartbeat recently (otherwise scans, email and deletions would
silently pile up). Answers carry states only, never counts of tenant data.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.runtime import Runtime

router = APIRouter(tags=["health"])

# A worker beats every 10 s by default; three missed beats means no worker is alive.
WORKER_STALE_SECONDS = 30

_QUEUE = text(
    "SELECT count(*) FILTER (WHERE last_heartbeat > now() - make_interval(secs => :stale))"
    " FROM procrastinate_workers"
)


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready", response_model=None)
async def ready(request: Request) -> JSONResponse:
    """The database answers as the app role and the queue has a live worker."""
    runtime: Runtime = request.app.state.runtime
    try:
        async with runtime.database.transaction(SystemActor("health")) as session:
            await session.execute(text("SELECT 1"))
            workers = int(
                (await session.execute(_QUEUE, {"stale": WORKER_STALE_SECONDS})).scalar_one()
            )
    except Exception:
        return JSONResponse(
            {"status": "unavailable", "database": "down", "queue": "unknown"}, status_code=503
        )
    if workers == 0:
        return JSONResponse(
            {"status": "unavailable", "database": "up", "queue": "no_worker"}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": "up", "queue": "up"})
