"""``/engagements/{engagement_id}/scans``: request and follow scans.

``VisibleEngagement`` runs first on every route; an object id from another engagement is 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from failsafe.connections import service as connections
from failsafe.errors import NotFound
from failsafe.scans import service
from failsafe.scans.service import ScanView
from failsafe.web.api.schemas import ERRORS
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = APIRouter(prefix="/engagements/{engagement_id}", tags=["scans"], responses=ERRORS)


class ScanOut(BaseModel):
    id: uuid.UUID
    engagement_id: uuid.UUID
    connection_id: uuid.UUID
    status: str
    trigger: str
    progress: int
    progress_detail: str
    sections: list[dict[str, Any]]
    error: str | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, view: ScanView) -> ScanOut:
        return cls(**{name: getattr(view, name) for name in cls.model_fields})


@router.get("/scans", response_model=list[ScanOut])
async def list_scans(
    engagement: VisibleEngagement,
    session: DbSession,
    connection_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ScanOut]:
    """The engagement's scans, newest first."""
    views = await service.list_scans(
        session, engagement.id, connection_id=connection_id, limit=limit
    )
    return [ScanOut.of(view) for view in views]


@router.get("/scans/{scan_id}", response_model=ScanOut)
async def get_scan(
    scan_id: uuid.UUID, engagement: VisibleEngagement, session: DbSession
) -> ScanOut:
    """One scan with its per-section status (``not_assessed`` sections say why)."""
    view = await service.get_scan(session, scan_id)
    if view.engagement_id != engagement.id:
        raise NotFound("scan not found")
    return ScanOut.of(view)


@router.post(
    "/connections/{connection_id}/scans",
    response_model=ScanOut,
    status_code=status.HTTP_202_ACCEPTED,
)
async def request_scan(
    connection_id: uuid.UUID,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> ScanOut:
    """Queue a scan of an active connection of this engagement."""
    connection = await connections.get_connection(session, connection_id)
    if connection.engagement_id != engagement.id:
        raise NotFound("connection not found")
    return ScanOut.of(await service.request_scan(session, actor, connection_id))
