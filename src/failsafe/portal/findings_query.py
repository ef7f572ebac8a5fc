"""Reads the findings pages need beyond the store's filtered list: one finding, its reviews,
the filter's control options, and the judgements the inventory pages show (app risk, waste).

Lists go through :func:`failsafe.detections.store.listing.list_findings`; what is here is the
SQL the store has no function for. RLS scopes every table; the engagement id comes from the
page's ``VisibleEngagement``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.catalog.domains import host_and_parents
from failsafe.catalog.loader import load_catalogs
from failsafe.detections.model import Framework, RuleSpec, Severity
from failsafe.detections.store.schemas import StoredFinding
from failsafe.reports.controls import FRAMEWORK_NAMES, control_sort_key, control_title

_FINDING = text(
    "SELECT f.id, f.scan_id, f.rule_id, f.fingerprint, f.subject, f.family, f.severity,"
    " f.title, f.evidence, f.monthly_cost, f.provider, f.change, f.status,"
    " f.first_seen_scan_id, f.first_seen_at, s.finished_at AS scanned_at,"
    " coalesce(nullif(c.display_name, ''), c.tenant_ref) AS tenant"
    " FROM findings f JOIN scans s ON s.id = f.scan_id"
    " JOIN connections c ON c.id = f.connection_id"
    " WHERE f.engagement_id = :engagement AND f.fingerprint = :fingerprint"
    " ORDER BY s.queued_at DESC, f.id DESC LIMIT 1"
)
# The decider's name only where RLS lets the reader see that user (a client does not see its
# partner's staff); the page says "another organisation" otherwise.
_REVIEWS = text(
    "SELECT r.action, r.reason, r.expires_at, r.created_at,"
    " coalesce(nullif(u.display_name, ''), u.email) AS who"
    " FROM finding_reviews r LEFT JOIN users u ON u.id = r.actor_user_id"
    " WHERE r.engagement_id = :engagement AND r.fingerprint = :fingerprint"
    " ORDER BY r.created_at DESC, r.id DESC LIMIT 50"
)
_TENANTS = text(
    "SELECT s.id, coalesce(nullif(c.display_name, ''), c.tenant_ref) AS tenant"
    " FROM scans s JOIN connections c ON c.id = s.connection_id WHERE s.id = ANY(:scans)"
)
# The worst open finding naming each of :keys, as its subject or among its evidence's apps: the
# first row per key in (severity, id) order, so the page reads one row per key it shows. The
# keys are joined (hashed), not compared with "= ANY": a prepared statement's generic plan would
# test every row against every key in turn.
_APP_FINDINGS = text(
    "SELECT DISTINCT ON (key) key, severity_rank, id, fingerprint FROM ("
    " SELECT subject AS key, severity_rank, id, fingerprint FROM findings"
    " WHERE scan_id = ANY(:scans) AND status = 'open'"
    " AND family IN ('shadow_it', 'app_permissions') AND subject <> 'tenant'"
    " UNION ALL"
    " SELECT app.key, severity_rank, id, fingerprint FROM findings,"
    " jsonb_array_elements_text(CASE jsonb_typeof(evidence -> 'apps')"
    " WHEN 'array' THEN evidence -> 'apps' ELSE '[]' END) AS app(key)"
    " WHERE scan_id = ANY(:scans) AND status = 'open'"
    " AND family IN ('shadow_it', 'app_permissions') AND subject <> 'tenant'"
    ") named JOIN (SELECT DISTINCT unnest(CAST(:keys AS text[])) AS key) wanted USING (key)"
    " ORDER BY key, severity_rank, id"
)
_WASTE = text(
    "SELECT subject, sum(monthly_cost) AS cost FROM findings"
    " WHERE scan_id = ANY(:scans) AND status = 'open' AND family = 'licenses'"
    " AND monthly_cost IS NOT NULL GROUP BY subject"
)


@dataclass(frozen=True, slots=True)
class FindingDetail:
    """The newest stored row of one finding, with where and when it was seen."""

    finding: StoredFinding
    tenant: str
    scanned_at: datetime | None


@dataclass(frozen=True, slots=True)
class Risk:
    """The worst open finding about an app or vendor."""

    severity: Severity
    fingerprint: str


async def finding(
    session: AsyncSession, engagement_id: uuid.UUID, fingerprint: str
) -> FindingDetail | None:
    """The finding as the newest scan that held it stored it (None when unknown here)."""
    row = (
        await session.execute(_FINDING, {"engagement": engagement_id, "fingerprint": fingerprint})
    ).one_or_none()
    if row is None:
        return None
    values: dict[str, Any] = dict(row._mapping)
    scanned_at, tenant = values.pop("scanned_at"), values.pop("tenant")
    cost = values["monthly_cost"]
    values["monthly_cost"] = float(cost) if cost is not None else None
    return FindingDetail(StoredFinding(**values), tenant, scanned_at)


async def reviews(session: AsyncSession, engagement_id: uuid.UUID, fingerprint: str) -> list[Any]:
    """Accept, resolve and reopen decisions about the finding, newest first."""
    params = {"engagement": engagement_id, "fingerprint": fingerprint}
    return list((await session.execute(_REVIEWS, params)).all())


async def tenants(session: AsyncSession, scan_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The tenant name of each scan (for lists that span several tenants)."""
    if not scan_ids:
        return {}
    rows = await session.execute(_TENANTS, {"scans": list(scan_ids)})
    return {row.id: row.tenant for row in rows}


def control_options(specs: Mapping[str, RuleSpec]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per framework, every control a rule maps to: (framework name, [(value, label)])."""
    groups = []
    for framework in Framework:
        ids = {cid for spec in specs.values() for cid in spec.controls.get(framework, ())}
        options = [
            (f"{framework.value}:{cid}", f"{cid} {control_title(framework, cid)}".strip())
            for cid in sorted(ids, key=control_sort_key)
        ]
        groups.append((FRAMEWORK_NAMES[framework], options))
    return groups


def controls_of(spec: RuleSpec | None) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """A rule's controls in each framework: (framework name, [(id, title, filter value)])."""
    if spec is None:
        return []
    return [
        (
            FRAMEWORK_NAMES[framework],
            [
                (cid, control_title(framework, cid), f"{framework.value}:{cid}")
                for cid in spec.controls.get(framework, ())
            ],
        )
        for framework in Framework
    ]


async def app_risks(
    session: AsyncSession, scan_ids: Sequence[uuid.UUID], keys: Iterable[str]
) -> dict[str, Risk]:
    """The worst open finding that can mark the apps-page rows ``keys`` (see :func:`risk_of`).

    Rows are keyed by app id (app-permission findings are about an app; vendor findings list
    their apps), by an unknown vendor's domain (the finding's subject) and by sender domain
    (a catalog vendor's finding marks every domain the catalog lists for it). Only what can
    mark one of ``keys`` is read, so the page costs the same however many findings exist.
    """
    wanted = _risk_keys(keys)
    if not scan_ids or not wanted:
        return {}
    severities = list(Severity)
    params = {"scans": list(scan_ids), "keys": wanted}
    rows = sorted(  # worst first, for the vendor domains below
        (await session.execute(_APP_FINDINGS, params)).all(),
        key=lambda row: (row.severity_rank, row.id),
    )
    risks = {row.key: Risk(severities[row.severity_rank], row.fingerprint) for row in rows}
    vendors = load_catalogs().vendors.by_id
    for subject, risk in list(risks.items()):
        vendor = vendors.get(subject)
        for domain in (*vendor.domains, *vendor.mail_domains) if vendor else ():
            risks.setdefault(domain, risk)
    return risks


def _risk_keys(keys: Iterable[str]) -> list[str]:
    """Each row key, the parent domains :func:`risk_of` tries, and the catalog vendors owning
    any of those (a vendor's findings have its id as subject)."""
    wanted: set[str] = set()
    for key in keys:
        wanted.add(key)
        wanted.update(host_and_parents(key))
    vendors = load_catalogs().vendors
    owners = {vendor.id for host in wanted if (vendor := vendors.by_domain(host)) is not None}
    return sorted(wanted | owners)


def risk_of(key: str, risks: Mapping[str, Risk]) -> Risk | None:
    """The risk of one apps-page row: by its host or a parent domain of it, else by its key."""
    for host in host_and_parents(key):
        if host in risks:
            return risks[host]
    return risks.get(key)


async def waste_by_sku(session: AsyncSession, scan_ids: Sequence[uuid.UUID]) -> dict[str, float]:
    """Open licence findings' monthly cost per SKU id (list prices)."""
    if not scan_ids:
        return {}
    rows = await session.execute(_WASTE, {"scans": list(scan_ids)})
    return {row.subject: round(float(row.cost), 2) for row in rows}
