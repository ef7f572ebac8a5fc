"""The render step of a report job: build the view, render, store, record.

Idempotent and safe to retry: a ready report is left alone; any other state (queued, a crashed
``rendering``, ``failed``) renders again and overwrites the same storage key. Rendering runs in
a worker thread and outside any transaction, so no database connection is held while
WeasyPrint works. Errors are recorded on the row as a generic message; tenant text never reaches
the row, the log or the exception.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import structlog

from failsafe.db.actor import SystemActor
from failsafe.errors import FailSafeError
from failsafe.reports.build import build_view
from failsafe.reports.models import Report
from failsafe.reports.render import RenderedReport, render_pdf
from failsafe.reports.service import ReportRecord
from failsafe.reports.storage import ReportStore, report_key
from failsafe.runtime import Runtime

log = structlog.get_logger(__name__)

ACTOR_NAME = "reports.render"


def render_actor(engagement_id: uuid.UUID) -> SystemActor:
    """The system actor a report job runs as: it sees its own engagement only."""
    return SystemActor(ACTOR_NAME, engagement_id)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, FailSafeError):
        return exc.detail[:500]
    return f"rendering failed ({type(exc).__name__})"


async def _begin(runtime: Runtime, report_id: uuid.UUID, actor: SystemActor) -> Report | None:
    async with runtime.database.transaction(actor) as session:
        report = await session.get(Report, report_id, with_for_update=True)
        if report is None or report.status == "ready":
            return report
        report.status = "rendering"
        report.attempts += 1
        report.started_at = datetime.now(UTC)
        report.finished_at = None
        report.error = None
        return report


async def _finish(
    runtime: Runtime,
    report_id: uuid.UUID,
    actor: SystemActor,
    *,
    rendered: RenderedReport | None,
    key: str | None,
    findings: int | None,
    error: str | None,
) -> ReportRecord:
    async with runtime.database.transaction(actor) as session:
        report = await session.get(Report, report_id, with_for_update=True)
        assert report is not None
        report.finished_at = datetime.now(UTC)
        if rendered is not None:
            report.status = "ready"
            report.storage_key = key
            report.sha256 = rendered.sha256
            report.size_bytes = rendered.size
            report.pages = rendered.pages
            report.findings = findings
        else:
            report.status = "failed"
            report.error = error
        return ReportRecord.of(report)


async def render_stored_report(
    runtime: Runtime, store: ReportStore, report_id: uuid.UUID, engagement_id: uuid.UUID
) -> ReportRecord | None:
    """Render report ``report_id`` of ``engagement_id``; None when it does not exist."""
    actor = render_actor(engagement_id)
    report = await _begin(runtime, report_id, actor)
    if report is None:
        log.warning("report.job_orphaned", report_id=str(report_id))
        return None
    if report.status == "ready":
        log.info("report.already_ready", report_id=str(report_id))
        return ReportRecord.of(report)

    try:
        async with runtime.database.transaction(actor) as session:
            view = await build_view(session, report.scan_id, report_id=report_id)
        rendered = await asyncio.to_thread(render_pdf, view)
        key = report_key(engagement_id, report_id)
        await store.put(key, rendered.pdf)
    except Exception as exc:
        log.error(
            "report.render_failed",
            report_id=str(report_id),
            engagement_id=str(engagement_id),
            error_type=type(exc).__name__,
        )
        await _finish(
            runtime,
            report_id,
            actor,
            rendered=None,
            key=None,
            findings=None,
            error=_error_text(exc),
        )
        raise
    record = await _finish(
        runtime,
        report_id,
        actor,
        rendered=rendered,
        key=key,
        findings=len(view.findings),
        error=None,
    )
    log.info(
        "report.ready",
        report_id=str(report_id),
        engagement_id=str(engagement_id),
        bytes=rendered.size,
        pages=rendered.pages,
    )
    return record
