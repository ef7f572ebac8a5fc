"""The demo's steps after seeding: scan sandbox tenants, write reports, serve the portal."""

from __future__ import annotations

import asyncio
import copy
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import structlog
import uvicorn
from pydantic import SecretStr
from sqlalchemy import text

from failsafe.db.actor import SystemActor
from failsafe.demo.seed import CLIENTS, DemoSeed
from failsafe.jobs.app import create_job_app, worker_context
from failsafe.reports.job import render_stored_report
from failsafe.reports.service import fetch_report, request_report
from failsafe.reports.storage import store_for
from failsafe.runtime import Runtime
from failsafe.sandbox import Sandbox, TenantSpec
from failsafe.scans.demo import connect_and_scan_demo
from failsafe.web.app import create_app

log = structlog.get_logger(__name__)

# One generated organisation: its Microsoft 365 tenant goes to the first demo client, its Google
# Workspace customer to the second, both with every risk planted.
DEMO_TENANT = TenantSpec(seed=2026, users=120, profile="risky")
PROVIDERS: dict[str, Literal["microsoft", "google"]] = {
    CLIENTS[0]: "microsoft",
    CLIENTS[1]: "google",
}


@dataclass(frozen=True)
class DemoScan:
    engagement: str
    provider: str
    scan_id: uuid.UUID
    status: str
    findings: int
    report: Path | None


def sandbox_runtime(runtime: Runtime, sandbox: Sandbox) -> Runtime:
    """The same database and keys, with every provider URL pointing at the sandbox."""
    overrides: dict[str, object] = dict(sandbox.settings_overrides())
    overrides["microsoft_client_secret"] = SecretStr(str(overrides["microsoft_client_secret"]))
    pointed = copy.copy(runtime)
    pointed.settings = runtime.settings.model_copy(update=overrides)
    return pointed


async def scan_demo_engagements(
    runtime: Runtime, sandbox: Sandbox, seed: DemoSeed, reports_dir: Path
) -> list[DemoScan]:
    """Connect each demo engagement to its sandbox tenant, scan it and write its report."""
    results: list[DemoScan] = []
    for engagement in seed.engagements:
        provider = PROVIDERS[engagement.customer]
        scan_id = await connect_and_scan_demo(runtime, engagement.id, provider, sandbox)
        status, findings = await _scan_summary(runtime, engagement.id, scan_id)
        report = await _write_report(runtime, engagement.id, scan_id, reports_dir)
        results.append(DemoScan(engagement.name, provider, scan_id, status, findings, report))
    return results


async def _scan_summary(
    runtime: Runtime, engagement_id: uuid.UUID, scan_id: uuid.UUID
) -> tuple[str, int]:
    async with runtime.database.transaction(SystemActor("demo", engagement_id)) as session:
        status = (
            await session.execute(text("SELECT status FROM scans WHERE id = :id"), {"id": scan_id})
        ).scalar_one()
        findings = (
            await session.execute(
                text("SELECT count(*) FROM findings WHERE scan_id = :id"), {"id": scan_id}
            )
        ).scalar_one()
    return str(status), int(findings)


async def _write_report(
    runtime: Runtime, engagement_id: uuid.UUID, scan_id: uuid.UUID, reports_dir: Path
) -> Path | None:
    """Render the scan's report through the report service and copy the PDF out for reading."""
    actor = SystemActor("demo", engagement_id)
    async with runtime.database.transaction(actor) as session:
        requested = await request_report(session, actor, engagement_id, scan_id, enqueue=False)
    store = store_for(runtime.settings)
    rendered = await render_stored_report(runtime, store, requested.id, engagement_id)
    if rendered is None or rendered.status != "ready":
        return None
    async with runtime.database.transaction(actor) as session:
        download = await fetch_report(session, actor, store, requested.id)
    target = reports_dir / download.filename
    await asyncio.to_thread(_write, target, download.data)
    return target


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def serve_portal(runtime: Runtime, host: str, port: int) -> None:
    """Serve the portal and run a worker in the same process until interrupted."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime), host=host, port=port, log_config=None)
    )
    jobs = create_job_app(runtime)
    async with jobs.open_async():
        worker = asyncio.create_task(
            jobs.run_worker_async(concurrency=2, additional_context=worker_context(runtime))
        )
        try:
            await server.serve()
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
    log.info("demo.stopped")
