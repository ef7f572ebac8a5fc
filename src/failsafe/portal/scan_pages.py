"""Scans: start one, watch it (htmx polls a fragment every two seconds), read the history.

A partial scan lists each section that was not assessed and why, so nobody mistakes a
section that could not be read for a clean one.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Request, Response

from failsafe.connections.service import list_connections
from failsafe.errors import NotFound
from failsafe.portal.forms import see_other
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.scans import service as scans
from failsafe.scans.service import ScanView
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = page_router(prefix="/engagements/{engagement_id}/scans")
RUNNING = ("queued", "running")


async def _scan(session: DbSession, engagement: VisibleEngagement, scan_id: uuid.UUID) -> ScanView:
    view = await scans.get_scan(session, scan_id)
    if view.engagement_id != engagement.id:
        raise NotFound("scan not found")
    return view


@router.get("")
async def history(request: Request, engagement: VisibleEngagement, session: DbSession) -> Response:
    """Every scan of the engagement, newest first, and a start button per live tenant."""
    connections = await list_connections(session, engagement.id)
    return render(
        request,
        "engagement/scans.html",
        engagement=engagement,
        tab="scans",
        scans=await scans.list_scans(session, engagement.id, limit=100),
        connections={c.id: c for c in connections},
        startable=[c for c in connections if c.status == "active"],
    )


@router.post("")
async def start(
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
    connection_id: Annotated[uuid.UUID, Form()],
) -> Response:
    """Queue a scan of one of this engagement's tenants (the worker runs it)."""
    connections = {c.id for c in await list_connections(session, engagement.id)}
    if connection_id not in connections:
        raise NotFound("connection not found")
    view = await scans.request_scan(session, actor, connection_id)
    return see_other(f"/engagements/{engagement.id}/scans/{view.id}")


@router.get("/{scan_id}")
async def detail(
    request: Request, engagement: VisibleEngagement, session: DbSession, scan_id: uuid.UUID
) -> Response:
    """One scan: live progress while it runs, then its sections."""
    view = await _scan(session, engagement, scan_id)
    return render(
        request,
        "engagement/scan.html",
        engagement=engagement,
        tab="scans",
        scan=view,
        running=view.status in RUNNING,
    )


@router.get("/{scan_id}/progress")
async def progress(
    request: Request, engagement: VisibleEngagement, session: DbSession, scan_id: uuid.UUID
) -> Response:
    """The progress fragment htmx swaps in; it stops polling once the scan has finished."""
    view = await _scan(session, engagement, scan_id)
    return render(
        request,
        "engagement/_scan_progress.html",
        engagement=engagement,
        scan=view,
        running=view.status in RUNNING,
    )
