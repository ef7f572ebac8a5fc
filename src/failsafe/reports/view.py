"""The report's view model: every fact the PDF shows, typed, and nothing else.

The renderer reads only these records, never the database or the inventory, so a report can be
built from a stored scan (:mod:`failsafe.reports.build`), from a synthetic model (tests and the
benchmark) or, later, from an API. Derived figures (counts, the five things to do first, the
framework sections, savings) are computed from it by :mod:`failsafe.reports.derive`.

Every string here may be tenant-controlled (app, vendor, user and tenant names): the templates
escape it and :mod:`failsafe.reports.text` makes it visible, isolated and breakable; nothing in
this module trusts it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from failsafe.detections.model import Family, Framework, Severity
from failsafe.inventory.model import Provider

FindingChange = Literal["new", "unchanged", "reopened"]
SectionState = Literal["collected", "not_assessed"]
LogoType = Literal["image/png", "image/jpeg"]


@dataclass(frozen=True, slots=True)
class Logo:
    """A partner's logo: raster only (validated by :func:`failsafe.reports.branding.logo`)."""

    media_type: LogoType
    data: bytes


@dataclass(frozen=True, slots=True)
class Branding:
    """Shown on the cover when a partner manages the engagement."""

    partner_name: str
    logo: Logo | None = None


@dataclass(frozen=True, slots=True)
class SectionCoverage:
    """How one section of one tenant was read."""

    section: str  # failsafe.inventory.model.Section value
    state: SectionState
    records: int = 0
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TenantScope:
    """One connected tenant the scan covered."""

    provider: Provider
    tenant_id: str
    display_name: str
    sections: tuple[SectionCoverage, ...] = ()


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """The posture score of one earlier (or this) scan."""

    scan_id: uuid.UUID
    finished_at: datetime
    score: int


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding with the rule metadata the report prints beside it."""

    rule_id: str
    title: str
    subject: str
    severity: Severity
    family: Family
    fingerprint: str
    tenant: str = ""  # display name of the tenant it was found in
    rule_title: str = ""  # the rule's own title ("Third-party app holds a critical scope")
    description: str = ""
    remediation: str = ""
    controls: Mapping[Framework, tuple[str, ...]] = field(default_factory=dict)
    evidence: Mapping[str, object] = field(default_factory=dict)
    monthly_cost: float | None = None
    change: FindingChange = "new"


@dataclass(frozen=True, slots=True)
class ShadowItVendor:
    """One vendor seen in use, sanctioned or not."""

    name: str
    domain: str
    category: str
    risk: str  # catalog risk letter (H/M/L) or "unknown"
    users: int
    sources: tuple[str, ...]  # "grant", "sign_in", "email"
    sanctioned: bool
    last_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class ThirdPartyApp:
    """One third-party app and what it may do."""

    name: str
    app_id: str
    publisher: str | None
    publisher_verified: bool | None
    highest_tier: str  # critical | high | medium | low | none
    scopes: tuple[str, ...]
    grant_kinds: tuple[str, ...]  # delegated | application | domain_wide
    users: int  # users who granted it individually
    tenant_wide: bool
    last_used: datetime | None = None


@dataclass(frozen=True, slots=True)
class IdentityStats:
    """Headline identity figures; ``None`` where the section was not assessed."""

    users: int | None = None
    enabled_users: int | None = None
    guests: int | None = None
    admins: int | None = None
    admins_without_mfa: int | None = None
    users_without_mfa: int | None = None
    stale_accounts: int | None = None


@dataclass(frozen=True, slots=True)
class LicenseLine:
    """Waste on one SKU (or SKU pair) with what it costs."""

    sku: str
    reason: str  # e.g. "12 unassigned seats", "assigned to 3 disabled accounts"
    seats: int
    monthly_cost: float


@dataclass(frozen=True, slots=True)
class PermissionUsed:
    """One read-only permission or scope FailSafe held for the scan."""

    provider: Provider
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class RuleCoverage:
    """Whether a rule ran, so controls it maps to can show "no issues" or "not assessed"."""

    rule_id: str
    status: Literal["evaluated", "not_assessed", "not_applicable"]
    controls: Mapping[Framework, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything one report shows."""

    engagement_id: uuid.UUID
    scan_id: uuid.UUID
    client_name: str
    engagement_name: str
    scan_date: datetime
    generated_at: datetime
    score: int | None
    tenants: tuple[TenantScope, ...]
    findings: tuple[FindingView, ...]
    branding: Branding | None = None
    trend: tuple[TrendPoint, ...] = ()  # oldest first, ending with this scan
    shadow_it: tuple[ShadowItVendor, ...] = ()
    apps: tuple[ThirdPartyApp, ...] = ()
    identity: IdentityStats = field(default_factory=IdentityStats)
    licenses: tuple[LicenseLine, ...] = ()
    currency: str = "USD"
    permissions: tuple[PermissionUsed, ...] = ()
    rules: tuple[RuleCoverage, ...] = ()
    closed_findings: int = 0  # accepted or resolved: not listed, not scored
    report_id: uuid.UUID | None = None
