"""Report services: request (row + job in one transaction), look up, and download.

They flush; the caller's transaction commits. Visibility is the database's job: every query runs
in the actor's transaction under row-level security, so a report of an engagement the actor may
not see is simply not found (404), exactly like one that does not exist.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.audit.service import record
from failsafe.db.actor import Actor, UserActor
from failsafe.engagements.models import Engagement
from failsafe.errors import Conflict, NotFound
from failsafe.reports.models import Report
from failsafe.reports.storage import ReportStore, get_verified
from failsafe.scans.latest import COMPLETE_STATUSES
from failsafe.scans.models import Scan

log = structlog.get_logger(__name__)

QUEUE = "reports"
TASK_NAME = "reports:render_report"
# Scans a report may be made from: complete, or complete with some sections not assessed.
_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, NULL,"
    " CAST(:args AS jsonb), NULL)]::procrastinate_job_to_defer_v1[]))"
)


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A report row as the API and portal see it (no storage key: that stays internal)."""

    id: uuid.UUID
    engagement_id: uuid.UUID
    scan_id: uuid.UUID
    status: str
    requested_by: uuid.UUID | None
    sha256: str | None
    size_bytes: int | None
    pages: int | None
    findings: int | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row: Report) -> ReportRecord:
        return cls(
            id=row.id,
            engagement_id=row.engagement_id,
            scan_id=row.scan_id,
            status=row.status,
            requested_by=row.requested_by,
            sha256=row.sha256,
            size_bytes=row.size_bytes,
            pages=row.pages,
            findings=row.findings,
            error=row.error,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


@dataclass(frozen=True, slots=True)
class ReportDownload:
    record: ReportRecord
    filename: str
    data: bytes
    media_type: str = "application/pdf"


def job_args(report_id: uuid.UUID, engagement_id: uuid.UUID) -> dict[str, str]:
    """The arguments of the render job (ids only)."""
    return {"report_id": str(report_id), "engagement_id": str(engagement_id)}


async def reportable_scan(
    session: AsyncSession, engagement_id: uuid.UUID, scan_id: uuid.UUID | None
) -> Scan:
    """``scan_id`` if it is a completed scan of the engagement, else its latest; NotFound."""
    query = select(Scan).where(
        Scan.engagement_id == engagement_id, Scan.status.in_(COMPLETE_STATUSES)
    )
    if scan_id is not None:
        query = query.where(Scan.id == scan_id)
    query = query.order_by(Scan.finished_at.desc().nulls_last(), Scan.queued_at.desc()).limit(1)
    scan = (await session.execute(query)).scalar_one_or_none()
    if scan is None:
        raise NotFound("no completed scan to report on")
    return scan


async def request_report(
    session: AsyncSession,
    actor: Actor,
    engagement_id: uuid.UUID,
    scan_id: uuid.UUID | None = None,
    *,
    enqueue: bool = True,
) -> ReportRecord:
    """Queue a report of ``scan_id`` (default: the latest completed scan of the engagement)."""
    engagement = await session.get(Engagement, engagement_id)
    if engagement is None:
        raise NotFound("engagement not found")
    scan = await reportable_scan(session, engagement_id, scan_id)

    requested_by = actor.user_id if isinstance(actor, UserActor) else None
    report = Report(engagement_id=engagement_id, scan_id=scan.id, requested_by=requested_by)
    session.add(report)
    await session.flush()
    await session.refresh(report)

    if enqueue:
        # Same transaction as the row: a rolled-back request leaves no orphan job, a committed
        # one always has its job. The lock serialises retries of one report.
        await session.execute(
            _DEFER,
            {
                "queue": QUEUE,
                "task": TASK_NAME,
                "lock": f"report:{report.id}",
                "args": json.dumps(job_args(report.id, engagement_id)),
            },
        )
    await record(
        session,
        actor,
        "report.requested",
        engagement_id=engagement_id,
        target_type="report",
        target_id=report.id,
        details={"scan_id": str(scan.id)},
    )
    log.info(
        "report.requested",
        report_id=str(report.id),
        engagement_id=str(engagement_id),
        scan_id=str(scan.id),
    )
    return ReportRecord.of(report)


async def get_report(session: AsyncSession, report_id: uuid.UUID) -> ReportRecord:
    """One report the actor may see; NotFound otherwise."""
    report = await session.get(Report, report_id)
    if report is None:
        raise NotFound("report not found")
    return ReportRecord.of(report)


async def list_reports(session: AsyncSession, engagement_id: uuid.UUID) -> list[ReportRecord]:
    """Reports of one engagement, newest first (empty when the actor may not see it)."""
    rows = await session.execute(
        select(Report)
        .where(Report.engagement_id == engagement_id)
        .order_by(Report.created_at.desc())
    )
    return [ReportRecord.of(row) for row in rows.scalars()]


def download_name(report: ReportRecord) -> str:
    """A file name built from ids and the date only (never tenant text)."""
    day = (report.finished_at or report.created_at).strftime("%Y-%m-%d")
    return f"failsafe-report-{day}-{str(report.id)[:8]}.pdf"


async def fetch_report(
    session: AsyncSession,
    actor: Actor,
    store: ReportStore,
    report_id: uuid.UUID,
    *,
    ip: str | None = None,
) -> ReportDownload:
    """The PDF of a ready report, checksum verified, with the download audit-logged."""
    report = await session.get(Report, report_id)
    if report is None:
        raise NotFound("report not found")
    if report.status != "ready" or report.storage_key is None or report.sha256 is None:
        raise Conflict("the report is not ready")

    data = await get_verified(store, report.storage_key, report.sha256)

    await record(
        session,
        actor,
        "report.downloaded",
        engagement_id=report.engagement_id,
        target_type="report",
        target_id=report.id,
        ip=ip,
        details={"sha256": report.sha256, "size": len(data), "scan_id": str(report.scan_id)},
    )
    log.info("report.downloaded", report_id=str(report.id), engagement_id=str(report.engagement_id))
    result = ReportRecord.of(report)
    return ReportDownload(result, download_name(result), data)
