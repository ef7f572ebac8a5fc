"""Report jobs on the procrastinate queue.

``reports:render_report`` renders one requested report (see :mod:`failsafe.reports.job`); a
failure is recorded on the report and retried with back-off, each retry rendering afresh.
"""

from __future__ import annotations

import uuid

import procrastinate
from procrastinate import JobContext

from failsafe.jobs.app import runtime_of
from failsafe.reports.job import render_stored_report
from failsafe.reports.storage import store_for

blueprint = procrastinate.Blueprint()

RETRY = procrastinate.RetryStrategy(max_attempts=3, exponential_wait=10)


@blueprint.task(name="render_report", queue="reports", pass_context=True, retry=RETRY)
async def render_report(context: JobContext, report_id: str, engagement_id: str) -> None:
    """Render and store one report as the engagement's report actor."""
    runtime = runtime_of(context)
    await render_stored_report(
        runtime, store_for(runtime.settings), uuid.UUID(report_id), uuid.UUID(engagement_id)
    )
