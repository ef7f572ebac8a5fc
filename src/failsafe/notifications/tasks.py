"""Notification jobs: drain the outbox (woken by every enqueue, and every minute), and queue
the weekly digest on Mondays at 07:00 UTC (once per slot however many workers run)."""

from __future__ import annotations

import datetime as dt

import httpx
import procrastinate
from procrastinate import JobContext

from failsafe.jobs.app import runtime_of
from failsafe.notifications.backends import build_backends
from failsafe.notifications.delivery import deliver_due
from failsafe.notifications.digest import queue_weekly_digest
from failsafe.notifications.outbox import DRAIN_LOCK, DRAIN_QUEUE
from failsafe.operations import hooks
from failsafe.operations.runs import run_once, slot_of

blueprint = procrastinate.Blueprint()

RETRY = procrastinate.RetryStrategy(max_attempts=10, exponential_wait=5)


@blueprint.periodic(cron="* * * * *")
@blueprint.task(
    name="deliver_outbox",
    queue=DRAIN_QUEUE,
    queueing_lock=DRAIN_LOCK,
    pass_context=True,
    retry=RETRY,
)
async def deliver_outbox(context: JobContext, timestamp: int | None = None) -> dict[str, int]:
    """Send every due message (a provider outage leaves them queued with a back-off)."""
    runtime = runtime_of(context)
    await hooks.reach("notifications.deliver_outbox")
    settings = runtime.settings
    async with httpx.AsyncClient(timeout=settings.http_timeout_seconds) as client:
        report = await deliver_due(
            runtime.database, build_backends(settings, client), sender=settings.email_from
        )
    return report.as_dict()


@blueprint.periodic(cron="0 7 * * 1")
@blueprint.task(
    name="weekly_digest",
    queue=DRAIN_QUEUE,
    lock="notifications.digest",
    pass_context=True,
    retry=RETRY,
)
async def weekly_digest(context: JobContext, timestamp: int) -> None:
    """Queue the digest for every opted-in user."""
    runtime = runtime_of(context)
    now = dt.datetime.fromtimestamp(timestamp, dt.UTC)

    async def body() -> dict[str, int]:
        await hooks.reach("notifications.weekly_digest")
        users = await queue_weekly_digest(
            runtime.database, runtime.keyring, runtime.settings.public_base_url, now=now
        )
        return {"users": users}

    await run_once(runtime.database, "weekly_digest", slot_of(timestamp), body)
