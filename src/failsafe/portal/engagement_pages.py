"""The engagement overview: posture score and trend, open findings by severity, what changed
since the last scan, tenants and the next scheduled scan.

Scores are the report's formula over each tenant's newest complete scan
(:mod:`failsafe.portal.posture_query`). Every route here takes ``VisibleEngagement`` (RLS
lookup, 404 otherwise) and runs in the actor's transaction.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request, Response

from failsafe.charts import score_gauge, severity_bars, trend_line
from failsafe.charts.palette import FAMILY_LABELS
from failsafe.connections.service import list_connections
from failsafe.detections.model import Severity
from failsafe.portal.pages import page_router
from failsafe.portal.posture_query import changes, engagement_posture
from failsafe.portal.templating import render
from failsafe.scans.latest import COMPLETE_STATUSES
from failsafe.scans.service import list_scans
from failsafe.web.deps import CurrentActor, DbSession, VisibleEngagement

router = page_router(prefix="/engagements/{engagement_id}")


@router.get("")
async def overview(
    request: Request, engagement: VisibleEngagement, actor: CurrentActor, session: DbSession
) -> Response:
    """Score and trend, open findings, what changed, tenants and the latest scans."""
    connections = await list_connections(session, engagement.id)
    scans = await list_scans(session, engagement.id, limit=20)
    complete = [s for s in scans if s.status in COMPLETE_STATUSES]
    live = [c for c in connections if c.status == "active"]
    next_scan = None
    if complete and live and engagement.status == "active" and complete[0].finished_at:
        next_scan = complete[0].finished_at + timedelta(days=engagement.scan_interval_days)
    posture = await engagement_posture(session, engagement.id)
    found = posture.found
    score = posture.score
    families = [(FAMILY_LABELS[f], value) for f, value in score.families.items()] if score else []
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
        score=score,
        gauge=score_gauge(score.overall if score else None),
        trend=trend_line([(f"{when:%d %b}", value) for when, value in posture.trend]),
        families=families,
        found=found,
        severities=[(s.value, s.value.capitalize(), found.count(s)) for s in Severity],
        bars=severity_bars(found.by_severity, include_info=True, label="Open findings"),
        changed=await changes(session, posture.current),
        invited=request.query_params.get("invited") == "1",
        may_invite=actor.role.value in ("partner", "admin", "client"),
    )
