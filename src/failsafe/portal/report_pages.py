"""Reports: generate a PDF of the latest complete scan, list them, download one.

The download is audit-logged by the reports service and verified against its checksum.
"""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from failsafe.errors import NotFound
from failsafe.portal.forms import see_other
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.reports import service as reports
from failsafe.reports.storage import store_for
from failsafe.web.context import client_ip, runtime_of
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = page_router(prefix="/engagements/{engagement_id}/reports")


@router.get("")
async def index(request: Request, engagement: VisibleEngagement, session: DbSession) -> Response:
    """The engagement's reports, newest first; pending ones refresh themselves (htmx)."""
    listed = await reports.list_reports(session, engagement.id)
    return render(
        request,
        "engagement/reports.html",
        engagement=engagement,
        tab="reports",
        reports=listed,
        pending=any(r.status in ("queued", "rendering") for r in listed),
    )


@router.post("")
async def generate(
    engagement: VisibleEngagement, actor: CurrentActor, session: DbSession
) -> Response:
    """Queue a report of the latest complete scan (the worker renders it)."""
    await reports.request_report(session, actor, engagement.id)
    return see_other(f"/engagements/{engagement.id}/reports")


@router.get("/{report_id}/download")
async def download(
    request: Request,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    report_id: uuid.UUID,
) -> Response:
    """The PDF as an attachment (never rendered inline in the portal's origin)."""
    record = await reports.get_report(session, report_id)
    if record.engagement_id != engagement.id:
        raise NotFound("report not found")
    store = store_for(runtime_of(request).settings)
    found = await reports.fetch_report(session, actor, store, report_id, ip=client_ip(request))
    return Response(
        found.data,
        media_type=found.media_type,
        headers={
            "content-disposition": f'attachment; filename="{found.filename}"',
            "cache-control": "no-store",
        },
    )
