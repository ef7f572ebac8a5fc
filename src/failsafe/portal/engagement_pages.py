"""The engagement overview: tenants, scans, what changed, the next scheduled scan.

Every route here takes ``VisibleEngagement`` (RLS lookup, 404 otherwise) and runs in the
actor's transaction.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request, Response

from failsafe.charts import score_gauge, trend_line
from failsafe.connections.service import list_connections
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.scans.service import list_scans
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = page_router(prefix="/engagements/{engagement_id}")
COMPLETE = ("succeeded", "partial")


@router.get("")
async def overview(
    request: Request, engagement: VisibleEngagement, actor: CurrentActor, session: DbSession
) -> Response:
    """Score (when computed), trend over scans, tenants and the latest scans."""
    connections = await list_connections(session, engagement.id)
    scans = await list_scans(session, engagement.id, limit=20)
    complete = [s for s in scans if s.status in COMPLETE]
    live = [c for c in connections if c.status == "active"]
    next_scan = None
    if complete and live and engagement.status == "active" and complete[0].finished_at:
        next_scan = complete[0].finished_at + timedelta(days=engagement.scan_interval_days)
    # Limitation: scores need the findings service; the gauge says "n/a" until it lands.
    return render(
        request,
        "engagement/overview.html",
        engagement=engagement,
        tab="overview",
        connections=connections,
        scans=scans[:5],
        latest=complete[0] if complete else None,
        previous=complete[1] if len(complete) > 1 else None,
        next_scan=next_scan,
        gauge=score_gauge(None),
        trend=trend_line([]),
        invited=request.query_params.get("invited") == "1",
        may_invite=actor.role.value in ("partner", "admin", "client"),
    )
