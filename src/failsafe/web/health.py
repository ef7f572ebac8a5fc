"""Liveness and readiness, for an external uptime monitor."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.runtime import Runtime

router = APIRouter(tags=["health"])


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready", response_model=None)
async def ready(request: Request) -> JSONResponse:
    """The database answers as the app role."""
    runtime: Runtime = request.app.state.runtime
    try:
        async with runtime.database.transaction(SystemActor("health")) as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})
