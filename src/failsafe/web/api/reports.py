"""``/engagements/{engagement_id}/reports``: request, list and download PDF posture reports.

``VisibleEngagement`` runs first on every route; a report of another engagement is 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from failsafe.errors import NotFound
from failsafe.reports import service
from failsafe.reports.service import ReportRecord
from failsafe.reports.storage import store_for
from failsafe.web.api.schemas import ERRORS, In
from failsafe.web.context import client_ip, runtime_of
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = APIRouter(
    prefix="/engagements/{engagement_id}/reports", tags=["reports"], responses=ERRORS
)


class ReportOut(BaseModel):
    id: uuid.UUID
    engagement_id: uuid.UUID
    scan_id: uuid.UUID
    status: str
    sha256: str | None
    size_bytes: int | None
    pages: int | None
    findings: int | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, record: ReportRecord) -> ReportOut:
        return cls(**{name: getattr(record, name) for name in cls.model_fields})


class ReportIn(In):
    scan_id: uuid.UUID | None = None


async def _owned(session: DbSession, engagement_id: uuid.UUID, report_id: uuid.UUID) -> None:
    record = await service.get_report(session, report_id)
    if record.engagement_id != engagement_id:
        raise NotFound("report not found")


@router.get("", response_model=list[ReportOut])
async def list_reports(engagement: VisibleEngagement, session: DbSession) -> list[ReportOut]:
    """The engagement's reports, newest first."""
    return [ReportOut.of(r) for r in await service.list_reports(session, engagement.id)]


@router.post("", response_model=ReportOut, status_code=status.HTTP_202_ACCEPTED)
async def request_report(
    body: ReportIn, engagement: VisibleEngagement, actor: CurrentActor, session: DbSession
) -> ReportOut:
    """Queue a report of a completed scan (default: the latest)."""
    record = await service.request_report(session, actor, engagement.id, body.scan_id)
    return ReportOut.of(record)


@router.get("/{report_id}", response_model=ReportOut)
async def get_report(
    report_id: uuid.UUID, engagement: VisibleEngagement, session: DbSession
) -> ReportOut:
    """One report's status."""
    await _owned(session, engagement.id, report_id)
    return ReportOut.of(await service.get_report(session, report_id))


@router.get(
    "/{report_id}/download",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def download(
    report_id: uuid.UUID,
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> Response:
    """The PDF (checksum verified; the download is audit-logged)."""
    await _owned(session, engagement.id, report_id)
    store = store_for(runtime_of(request).settings)
    found = await service.fetch_report(session, actor, store, report_id, ip=client_ip(request))
    return Response(
        found.data,
        media_type=found.media_type,
        headers={
            "content-disposition": f'attachment; filename="{found.filename}"',
            "cache-control": "no-store",
        },
    )
