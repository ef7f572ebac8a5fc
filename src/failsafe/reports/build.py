"""Build a :class:`~failsafe.reports.view.ReportView` from a stored scan.

Runs inside the caller's transaction, so row-level security decides what is visible: a job
builds as a system actor scoped to the report's engagement, the CLI likewise. Nothing here
writes. Scores, sanctioned verdicts, tiers and control titles all come from the detections
package and the catalogs, so the report and the portal agree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.models import Account
from failsafe.catalog.loader import priced_catalogs
from failsafe.charts.trend import MAX_POINTS
from failsafe.connections.manifest import for_provider
from failsafe.detections.context import AllowList, Context, Thresholds
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Family
from failsafe.engagements.models import Engagement
from failsafe.engagements.settings import get_settings
from failsafe.enrichment.cache import cached as cached_labels
from failsafe.errors import Conflict, NotFound
from failsafe.inventory.load import load_inventory
from failsafe.inventory.model import Inventory, Provider, Section
from failsafe.reports import facts, posture
from failsafe.reports.branding import logo
from failsafe.reports.findings import load_findings
from failsafe.reports.models import PartnerBranding
from failsafe.reports.view import (
    Branding,
    FindingView,
    LicenseLine,
    PermissionUsed,
    ReportView,
    TrendPoint,
)
from failsafe.scans.latest import COMPLETE_STATUSES
from failsafe.scans.models import Scan

log = structlog.get_logger(__name__)


async def _branding(session: AsyncSession, engagement: Engagement) -> Branding | None:
    if engagement.partner_account_id is None:
        return None
    partner = await session.get(Account, engagement.partner_account_id)
    if partner is None:
        return None
    row = await session.get(PartnerBranding, partner.id)
    partner_logo = logo(row.logo) if row is not None and row.logo else None
    return Branding(partner.name, partner_logo)


def permissions_used(provider: Provider, inventory: Inventory) -> tuple[PermissionUsed, ...]:
    """The manifest entries this scan held: required ones, and optional ones it used."""
    used = []
    for permission in for_provider(provider):
        optional_used = any(inventory.assessed(s) for s in permission.sections)
        if permission.required or optional_used:
            used.append(PermissionUsed(provider, permission.name, permission.reason))
    return tuple(used)


def _licence_lines(findings: list[FindingView]) -> tuple[LicenseLine, ...]:
    lines = []
    for finding in findings:
        if finding.family is Family.LICENSES and finding.monthly_cost:
            seats = finding.evidence.get("seats", 0)
            sku = finding.evidence.get("sku_name") or finding.subject
            lines.append(
                LicenseLine(
                    sku=str(sku),
                    reason=finding.title,
                    seats=seats if isinstance(seats, int) else 0,
                    monthly_cost=float(finding.monthly_cost),
                )
            )
    return tuple(sorted(lines, key=lambda line: -line.monthly_cost))


async def _trend(session: AsyncSession, scan: Scan, score: int | None) -> tuple[TrendPoint, ...]:
    earlier = await session.execute(
        select(Scan)
        .where(
            Scan.connection_id == scan.connection_id,
            Scan.status.in_(COMPLETE_STATUSES),
            Scan.finished_at < scan.finished_at,
        )
        .order_by(Scan.finished_at.desc())
        .limit(MAX_POINTS - 1)
    )
    scans = list(reversed(list(earlier.scalars())))
    specs = load_rule_specs()
    # One read for every earlier scan: the same formula as this scan's score, from storage.
    outcomes = await posture.scan_outcomes(session, [old.id for old in scans], specs)
    points = []
    for old in scans:
        if old.id not in outcomes or old.finished_at is None:
            continue
        old_score = posture.combined([outcomes[old.id]], specs).overall
        if old_score is not None:
            points.append(TrendPoint(old.id, old.finished_at, old_score))
    if score is not None and scan.finished_at is not None:
        points.append(TrendPoint(scan.id, scan.finished_at, score))
    return tuple(points)


async def build_view(
    session: AsyncSession,
    scan_id: uuid.UUID,
    *,
    report_id: uuid.UUID | None = None,
    generated_at: datetime | None = None,
) -> ReportView:
    """Everything the report of ``scan_id`` shows, read as the session's actor."""
    scan = await session.get(Scan, scan_id)
    if scan is None:
        raise NotFound("scan not found")
    if scan.status not in COMPLETE_STATUSES or scan.finished_at is None:
        raise Conflict("the scan is not complete")
    engagement = await session.get(Engagement, scan.engagement_id)
    customer = await session.get(Account, engagement.customer_account_id) if engagement else None
    if engagement is None or customer is None:
        raise NotFound("engagement not found")

    inventory = await load_inventory(session, scan_id)
    provider = inventory.tenant.provider
    specs = load_rule_specs()
    settings = await get_settings(session, engagement.id)
    catalogs = priced_catalogs(settings.sku_prices)
    found = await load_findings(session, scan_id, specs, provider, inventory.tenant.display_name)
    rules = posture.coverage(specs.values(), provider, inventory.assessed)
    score = posture.score(rules, found.stored, specs)
    # The engagement's settings as they are now, and the vendor labels enrichment cached: the
    # inventory tables show today's verdicts, the findings what the scan stored.
    context = Context(inventory, catalogs, Thresholds(), AllowList.of(settings.sanctioned))
    uncatalogued = [key for key, entry in context.vendor_evidence.items() if entry.vendor is None]
    labels = await cached_labels(session, uncatalogued)

    view = ReportView(
        engagement_id=engagement.id,
        scan_id=scan.id,
        client_name=customer.name,
        engagement_name=engagement.name,
        scan_date=scan.finished_at,
        generated_at=generated_at or datetime.now(UTC),
        score=score,
        tenants=(facts.tenant_scope(inventory),),
        findings=tuple(found.open),
        branding=await _branding(session, engagement),
        trend=await _trend(session, scan, score),
        shadow_it=facts.shadow_it(context, labels),
        apps=facts.third_party_apps(
            inventory,
            lambda scope, kind: catalogs.scopes.tier(provider, scope, kind),  # type: ignore[arg-type]
        ),
        identity=facts.identity_stats(inventory),
        licenses=_licence_lines(found.open),
        permissions=permissions_used(provider, inventory),
        rules=rules,
        closed_findings=found.closed,
        report_id=report_id,
    )
    log.info(
        "report.view_built",
        scan_id=str(scan_id),
        engagement_id=str(engagement.id),
        findings=len(found.open),
        not_assessed=sum(1 for s in Section if not inventory.assessed(s)),
    )
    return view
