"""Readiness covers the database and the job queue."""

from __future__ import annotations

import httpx
import psycopg

from failsafe.runtime import Runtime
from failsafe.web.app import create_app


async def get(runtime: Runtime, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="https://portal.test") as client:
        return await client.get(path)


async def test_ready_needs_a_live_worker(runtime: Runtime, superuser: psycopg.Connection) -> None:
    assert (await get(runtime, "/health/live")).status_code == 200
    response = await get(runtime, "/health/ready")
    assert response.status_code == 503 and response.json()["queue"] == "no_worker"

    superuser.execute("INSERT INTO procrastinate_workers DEFAULT VALUES")
    response = await get(runtime, "/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "queue": "up"}

    superuser.execute("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '5 min'")
    assert (await get(runtime, "/health/ready")).status_code == 503
