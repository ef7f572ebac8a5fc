"""Scan jobs on the procrastinate queue.

``scans:run_scan`` runs one scan; a crash or error is retried with exponential back-off and the
retried job starts the scan over (persistence is all-or-nothing, so nothing half-written is
left). ``scans:recover_stalled`` runs every few minutes and re-queues scan jobs whose worker
stopped sending heartbeats (killed mid-scan), so they finish without waiting for a person.
"""

from __future__ import annotations

import uuid

import procrastinate
import structlog
from procrastinate import JobContext

from failsafe.jobs.app import runtime_of
from failsafe.scans.runner import ScanHooks, execute_scan

log = structlog.get_logger(__name__)

blueprint = procrastinate.Blueprint()

MAX_ATTEMPTS = 5
STALLED_AFTER_SECONDS = 120
RETRY = procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=5)


@blueprint.task(name="run_scan", queue="scans", pass_context=True, retry=RETRY)
async def run_scan(context: JobContext, scan_id: str, engagement_id: str) -> None:
    """Run one scan as the engagement's scan actor."""
    job = context.job
    attempts = int(getattr(job, "attempts", 0) or 0) if job is not None else 0
    hooks = context.additional_context.get("scan_hooks")  # tests only: a transport seam
    await execute_scan(
        runtime_of(context),
        uuid.UUID(scan_id),
        uuid.UUID(engagement_id),
        hooks=hooks if isinstance(hooks, ScanHooks) else None,
        last_attempt=attempts + 1 >= MAX_ATTEMPTS,
    )


@blueprint.periodic(cron="*/5 * * * *")
@blueprint.task(name="recover_stalled", queue="scans", pass_context=True)
async def recover_stalled(context: JobContext, timestamp: int) -> None:
    """Re-queue scan jobs whose worker died (no heartbeat for a while)."""
    manager = context.app.job_manager
    stalled = await manager.get_stalled_jobs(
        task_name="scans:run_scan", seconds_since_heartbeat=STALLED_AFTER_SECONDS
    )
    for job in stalled:
        log.warning("scan.job_stalled", job_id=job.id)
        await manager.retry_job(job)
