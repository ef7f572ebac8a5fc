"""Findings: the list with filters, the detail, accept (reason, expiry) and resolve.

Limitation: the findings service (``failsafe.detections``: the findings table, the rules
engine and the accept/resolve operations) has not landed in this build, so the page says so
instead of showing an empty list that would read as "no risks". Wiring it means replacing
this handler with the filtered query over the findings table (family, severity, status,
provider, framework control), a detail page and two POST forms.
"""

from __future__ import annotations

from fastapi import Request, Response

from failsafe.detections.model import Family, Framework, Severity
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.web.deps import VisibleEngagement

router = page_router(prefix="/engagements/{engagement_id}")


@router.get("/findings")
async def findings(request: Request, engagement: VisibleEngagement) -> Response:
    """The findings page, shown disabled with an honest note until findings exist."""
    return render(
        request,
        "engagement/findings.html",
        engagement=engagement,
        tab="findings",
        families=list(Family),
        severities=list(Severity),
        frameworks=list(Framework),
    )
