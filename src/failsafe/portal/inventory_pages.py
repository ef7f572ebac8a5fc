"""Discovered apps (shadow IT), identities and licences, read from the latest inventory.

These pages show what the scans collected. Judgements come from the same scans' open findings
(:mod:`failsafe.portal.findings_query`): an app's risk is its worst open finding, linked to
it, and a licence's waste is what its open licence findings cost a month at list price.
"""

from __future__ import annotations

from fastapi import Request, Response

from failsafe.errors import NotFound
from failsafe.portal import findings_query as fq
from failsafe.portal import inventory_query as q
from failsafe.portal.pages import page_router
from failsafe.portal.posture_query import current_scans
from failsafe.portal.templating import render
from failsafe.web.deps import DbSession, VisibleEngagement

router = page_router(prefix="/engagements/{engagement_id}")


@router.get("/apps")
async def apps(request: Request, engagement: VisibleEngagement, session: DbSession) -> Response:
    """Every app found by grant, sign-in or email, most users first, with its risk."""
    found = await q.apps(session, engagement.id)
    scans = [scan.id for scan in await current_scans(session, engagement.id)]
    risks = await fq.app_risks(session, scans)
    return render(
        request,
        "engagement/apps.html",
        engagement=engagement,
        tab="apps",
        scanned=await q.has_inventory(session, engagement.id),
        apps=found,
        risks={app.key: fq.risk_of(app.key, risks) for app in found},
    )


@router.get("/apps/{key:path}")
async def app_detail(
    request: Request, engagement: VisibleEngagement, session: DbSession, key: str
) -> Response:
    """One app: how it was found, its scopes and who uses it."""
    found = await q.apps(session, engagement.id, key=key, limit=1)
    if not found:
        raise NotFound("app not found")
    return render(
        request,
        "engagement/app.html",
        engagement=engagement,
        tab="apps",
        app=found[0],
        users=await q.app_users(session, engagement.id, key),
    )


@router.get("/identities")
async def identities(
    request: Request, engagement: VisibleEngagement, session: DbSession
) -> Response:
    """Admins, MFA coverage, stale and guest accounts."""
    summary = await q.identity_summary(session, engagement.id)
    members = int(summary.members or 0)
    coverage = round(100 * int(summary.mfa_on or 0) / members) if members else None
    return render(
        request,
        "engagement/identities.html",
        engagement=engagement,
        tab="identities",
        scanned=await q.has_inventory(session, engagement.id),
        summary=summary,
        coverage=coverage,
        people=await q.risky_identities(session, engagement.id),
        stale_days=q.STALE_DAYS,
    )


@router.get("/licences")
async def licences(request: Request, engagement: VisibleEngagement, session: DbSession) -> Response:
    """Seats bought, assigned and active per SKU, and what unused or misused seats cost."""
    scans = [scan.id for scan in await current_scans(session, engagement.id)]
    waste = await fq.waste_by_sku(session, scans)
    return render(
        request,
        "engagement/licences.html",
        engagement=engagement,
        tab="licences",
        scanned=await q.has_inventory(session, engagement.id),
        skus=await q.licences(session, engagement.id),
        waste=waste,
        active_days=q.ACTIVE_DAYS,
    )
