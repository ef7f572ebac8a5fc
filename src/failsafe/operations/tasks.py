"""Operations jobs on the procrastinate schedule (all times UTC).

- ``operations:schedule_scans`` hourly: request scheduled scans of due connections;
- ``operations:hard_delete`` 04:00: remove accounts soft-deleted before;
- ``operations:retention`` 04:30: engagement, account and audit retention;
- ``operations:recover_stalled`` every 2 minutes: re-queue this domain's jobs whose worker
  stopped sending heartbeats (killed mid-job).

Each periodic body runs once per slot (:func:`failsafe.operations.runs.run_once`) and holds a
job lock, so two workers never run the same job at once; every body is idempotent, so a retry
after a crash finishes the work.
"""

from __future__ import annotations

import datetime as dt

import procrastinate
import structlog
from procrastinate import JobContext
from procrastinate.exceptions import UniqueViolation
from procrastinate.manager import JobManager

from failsafe.jobs.app import runtime_of
from failsafe.operations import hooks
from failsafe.operations.deletion import hard_delete_due
from failsafe.operations.retention import apply_retention
from failsafe.operations.runs import run_once, slot_of
from failsafe.operations.schedule import schedule_due_scans

log = structlog.get_logger(__name__)

blueprint = procrastinate.Blueprint()

QUEUE = "operations"
RETRY = procrastinate.RetryStrategy(max_attempts=8, exponential_wait=10)
STALLED_AFTER_SECONDS = 60
# The task families this domain recovers (scans recover their own).
RECOVERED_PREFIXES = ("operations:", "notifications:", "billing:")


def _at(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


@blueprint.periodic(cron="0 * * * *")
@blueprint.task(
    name="schedule_scans",
    queue=QUEUE,
    lock="operations.schedule",
    pass_context=True,
    retry=RETRY,
)
async def schedule_scans(context: JobContext, timestamp: int) -> None:
    """Queue scheduled scans that are due at this slot."""
    runtime = runtime_of(context)

    async def body() -> dict[str, int]:
        await hooks.reach("operations.schedule_scans")
        return await schedule_due_scans(runtime.database, now=_at(timestamp))

    await run_once(runtime.database, "schedule_scans", slot_of(timestamp), body)


@blueprint.periodic(cron="0 4 * * *")
@blueprint.task(
    name="hard_delete", queue=QUEUE, lock="operations.deletion", pass_context=True, retry=RETRY
)
async def hard_delete(context: JobContext, timestamp: int) -> None:
    """The nightly hard deletion of soft-deleted accounts."""
    runtime = runtime_of(context)

    async def body() -> dict[str, int]:
        removed = await hard_delete_due(runtime.database, runtime.settings, now=_at(timestamp))
        return {"accounts": len(removed)}

    await run_once(runtime.database, "hard_delete", slot_of(timestamp), body)


@blueprint.periodic(cron="30 4 * * *")
@blueprint.task(
    name="retention", queue=QUEUE, lock="operations.deletion", pass_context=True, retry=RETRY
)
async def retention(context: JobContext, timestamp: int) -> None:
    """Apply the retention periods."""
    runtime = runtime_of(context)

    async def body() -> dict[str, object]:
        await hooks.reach("operations.retention")
        result = await apply_retention(runtime.database, runtime.settings, now=_at(timestamp))
        return result.summary()

    await run_once(runtime.database, "retention", slot_of(timestamp), body)


@blueprint.periodic(cron="*/2 * * * *")
@blueprint.task(name="recover_stalled", queue=QUEUE, pass_context=True)
async def recover_stalled(context: JobContext, timestamp: int) -> None:
    """Re-queue jobs of this domain whose worker died."""
    await retry_stalled(context.app.job_manager, STALLED_AFTER_SECONDS)


async def retry_stalled(manager: JobManager, seconds: float) -> int:
    """Retry every stalled job of this domain's task families; returns how many."""
    retried = 0
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds):
        if job.task_name.startswith(RECOVERED_PREFIXES):
            try:
                await manager.retry_job(job)
            except UniqueViolation:
                # Another job with the same queueing lock is already waiting (a newer outbox
                # drain): it does the same work, so this one is left as it is.
                log.info("job.stalled_superseded", job_id=job.id, task=job.task_name)
                continue
            log.warning("job.stalled_retried", job_id=job.id, task=job.task_name)
            retried += 1
    return retried
