"""``/engagements/{engagement_id}/findings``: filter, page by cursor, accept, resolve, reopen.

``VisibleEngagement`` runs first on every route. Findings are listed worst first (severity rank,
then id), keyset-paginated: pass ``next_cursor`` back as ``cursor``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from failsafe.detections.store import service
from failsafe.errors import NotFound
from failsafe.scans.models import Scan
from failsafe.web.api.schemas import ERRORS, In, OkOut
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = APIRouter(
    prefix="/engagements/{engagement_id}/findings", tags=["findings"], responses=ERRORS
)
Fingerprint = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
Filter = Annotated[str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9_:.-]+$")]


class FindingOut(BaseModel):
    """One finding as the API shows it: the fields of ``StoredFinding``, which is what is sent."""

    id: int
    scan_id: uuid.UUID
    rule_id: str
    fingerprint: str
    subject: str
    family: str
    severity: str
    title: str
    evidence: dict[str, Any]
    monthly_cost: float | None
    provider: str
    change: str
    status: str
    first_seen_scan_id: uuid.UUID
    first_seen_at: datetime


class FindingsPageOut(BaseModel):
    """The documented shape of a page (``response_model``).

    The page itself is written by PostgreSQL (``service.list_findings_json``) and sent as it
    is: validating rows into these models (or letting FastAPI check the returned model) would
    only repeat work. A test holds the two shapes equal.
    """

    items: list[FindingOut]
    next_cursor: str | None


class AcceptIn(In):
    reason: str = Field(min_length=1, max_length=2000)
    expires_at: datetime


class ResolveIn(In):
    reason: str = Field(default="", max_length=2000)


@router.get("", response_model=FindingsPageOut)
async def list_findings(
    engagement: VisibleEngagement,
    session: DbSession,
    scan_id: uuid.UUID | None = None,
    family: Filter = None,
    severity: Filter = None,
    status: Literal["open", "accepted", "resolved"] | None = None,
    provider: Literal["microsoft", "google"] | None = None,
    control: Filter = None,
    rule_id: Filter = None,
    sort: Literal["severity"] = "severity",
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Findings of the engagement's latest scan per connection (or of ``scan_id``).

    ``sort`` is ``severity`` (worst first, then oldest): the one order the keyset index serves.
    """
    del sort  # one order today; the parameter keeps the contract explicit
    if scan_id is not None:
        scan = await session.get(Scan, scan_id)
        if scan is None or scan.engagement_id != engagement.id:
            raise NotFound("scan not found")
        scan_ids = [scan_id]
    else:
        scan_ids = await service.latest_scan_ids(session, engagement.id)
    filters = service.FindingFilters(
        family=family,
        severity=severity,
        status=status,
        provider=provider,
        control=control,
        rule_id=rule_id,
    )
    page = await service.list_findings_json(session, scan_ids, filters, cursor=cursor, limit=limit)
    return Response(page, media_type="application/json")


@router.post("/{fingerprint}/accept", response_model=OkOut)
async def accept(
    fingerprint: Fingerprint,
    body: AcceptIn,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> OkOut:
    """Accept the risk until ``expires_at`` (at most a year ahead), with a reason."""
    await service.accept_finding(
        session,
        actor,
        engagement.id,
        fingerprint,
        reason=body.reason,
        expires_at=body.expires_at,
    )
    return OkOut(status="accepted")


@router.post("/{fingerprint}/resolve", response_model=OkOut)
async def resolve(
    fingerprint: Fingerprint,
    body: ResolveIn,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> OkOut:
    """Mark resolved; the next scan confirms it or reopens it."""
    await service.resolve_finding(session, actor, engagement.id, fingerprint, reason=body.reason)
    return OkOut(status="resolved")


@router.post("/{fingerprint}/reopen", response_model=OkOut)
async def reopen(
    fingerprint: Fingerprint,
    engagement: VisibleEngagement,
    actor: CurrentActor,
    session: DbSession,
) -> OkOut:
    """Undo an acceptance or a resolution."""
    await service.reopen_finding(session, actor, engagement.id, fingerprint)
    return OkOut(status="open")
