"""What every rule reads: the inventory plus indexes built once per evaluation.

Rules never scan the inventory's lists in nested loops; they read these maps, so the whole
evaluation is linear in the inventory's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from failsafe.catalog.domains import registrable_domain
from failsafe.catalog.loader import Catalogs
from failsafe.catalog.models import Vendor
from failsafe.detections.model import Finding, RuleSpec, Severity, fingerprint
from failsafe.enrichment.models import Classification
from failsafe.inventory.model import App, AppUsage, EmailSignal, Grant, Identity, Inventory

# Evidence lists are capped so a 50,000-user tenant does not produce megabyte findings; the
# full count is always given next to the sample.
EVIDENCE_SAMPLE = 50

PHISHING_RESISTANT = frozenset(
    {
        "fido2",
        "windowshelloforbusiness",
        "passkeydevicebound",
        "passkeydeviceboundauthenticator",
        "x509certificatemultifactor",
        "security_key",
    }
)


@dataclass(frozen=True)
class Thresholds:
    """Rule-engine settings; defaults are the ones in docs/rules.md."""

    stale_days: int = 90
    admin_stale_days: int = 45
    max_global_admins: int = 4
    min_global_admins: int = 2
    many_unsanctioned_vendors: int = 10
    unknown_vendor_min_users: int = 2
    many_individual_consents: int = 10
    unused_app_days: int = 90
    unassigned_seats_medium: int = 10
    never_signed_in_days: int = 30


@dataclass(frozen=True)
class AllowList:
    """What the engagement has approved: vendor ids or domains, and app ids."""

    vendors: frozenset[str] = frozenset()
    apps: frozenset[str] = frozenset()

    @classmethod
    def of(cls, entries: Iterable[str]) -> AllowList:
        """One flat list of vendor ids, domains and app ids, as an engagement stores it."""
        items = frozenset(e.strip().lower() for e in entries if e.strip())
        return cls(vendors=items, apps=items)


@dataclass
class VendorEvidence:
    """Everything that ties one vendor (catalog id or unknown domain) to the tenant."""

    subject: str
    vendor: Vendor | None
    apps: set[str] = field(default_factory=set)
    grant_users: set[str] = field(default_factory=set)
    usage_users: set[str] = field(default_factory=set)
    mail_users: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    mail_count: int = 0
    sso: bool = False
    admin_consented_only: bool = False
    unknown_app_grant: bool = False

    @property
    def users(self) -> set[str]:
        users = self.grant_users | self.usage_users
        for found in self.mail_users.values():
            users |= found
        return users

    def mail_users_of(self, *kinds: str) -> set[str]:
        found: set[str] = set()
        for kind in kinds:
            found |= self.mail_users.get(kind, set())
        return found

    @property
    def in_use(self) -> bool:
        """Catalog vendors count on any evidence; unknown domains on more than newsletters."""
        if self.vendor is not None:
            return True
        return bool(
            self.apps or self.usage_users or self.mail_users_of("signup", "billing", "security")
        )


def sample(values: Iterable[str]) -> list[str]:
    """A sorted, capped sample of ids for evidence."""
    return sorted(values)[:EVIDENCE_SAMPLE]


class Context:
    """The inventory, catalogs, thresholds and allow-list, with lazily built indexes.

    ``vendor_labels`` are the enrichment's labels of vendors the catalog lacks, keyed by
    registrable domain (the subject such a vendor has); empty when enrichment is off.
    """

    def __init__(
        self,
        inventory: Inventory,
        catalogs: Catalogs,
        thresholds: Thresholds,
        allow_list: AllowList,
        vendor_labels: Mapping[str, Classification] | None = None,
    ) -> None:
        self.inventory = inventory
        self.catalogs = catalogs
        self.thresholds = thresholds
        self.allow_list = allow_list
        self.vendor_labels: Mapping[str, Classification] = vendor_labels or {}
        self.now: datetime = inventory.collected_at
        self.provider = inventory.tenant.provider

    # -- findings -------------------------------------------------------------------------

    def finding(
        self,
        spec: RuleSpec,
        subject: str,
        title: str,
        evidence: dict[str, Any],
        *,
        severity: Severity | None = None,
        monthly_cost: float | None = None,
    ) -> Finding:
        """A finding of ``spec`` about ``subject`` with its stable fingerprint."""
        return Finding(
            rule_id=spec.id,
            subject=subject,
            title=title,
            severity=severity or spec.severity,
            family=spec.family,
            fingerprint=fingerprint(spec.id, self.inventory.tenant.tenant_id, subject),
            evidence=evidence,
            monthly_cost=round(monthly_cost, 2) if monthly_cost is not None else None,
        )

    # -- identities -----------------------------------------------------------------------

    @cached_property
    def identities(self) -> dict[str, Identity]:
        return {identity.email: identity for identity in self.inventory.identities}

    @cached_property
    def admin_users(self) -> set[str]:
        """Holders of any admin role (from assignments and the identity flag)."""
        admins = {r.user for r in self.inventory.role_assignments}
        admins |= {i.email for i in self.inventory.identities if i.is_admin}
        return admins

    @cached_property
    def roles_by_user(self) -> dict[str, list[str]]:
        roles: dict[str, list[str]] = defaultdict(list)
        for assignment in self.inventory.role_assignments:
            roles[assignment.user].append(assignment.role_name)
        return roles

    @cached_property
    def global_admins(self) -> set[str]:
        return {r.user for r in self.inventory.role_assignments if r.is_global_admin}

    def is_stale(self, identity: Identity, days: int | None = None) -> bool:
        """Enabled and not signed in for ``days`` (or never, created more than ``days`` ago)."""
        if not identity.enabled:
            return False
        cutoff = self.now - timedelta(days=days or self.thresholds.stale_days)
        if identity.last_sign_in_at is not None:
            return identity.last_sign_in_at < cutoff
        return identity.created_at is not None and identity.created_at < cutoff

    # -- apps and grants ------------------------------------------------------------------

    @cached_property
    def apps(self) -> dict[str, App]:
        return {app.app_id: app for app in self.inventory.apps}

    @cached_property
    def grants_by_app(self) -> dict[str, list[Grant]]:
        grants: dict[str, list[Grant]] = defaultdict(list)
        for grant in self.inventory.grants:
            grants[grant.app_id].append(grant)
        return grants

    @cached_property
    def usage_by_app(self) -> dict[str, list[AppUsage]]:
        usage: dict[str, list[AppUsage]] = defaultdict(list)
        for record in self.inventory.app_usage:
            if record.app_id is not None:
                usage[record.app_id].append(record)
        return usage

    def third_party(self, app_id: str) -> bool:
        """An app is third-party unless the tenant's provider published it."""
        app = self.apps.get(app_id)
        return app is None or not app.first_party

    def app_name(self, app_id: str) -> str:
        app = self.apps.get(app_id)
        return app.display_name if app is not None else app_id

    def scope_tier(self, scope: str, kind: str) -> str:
        return self.catalogs.scopes.tier(self.provider, scope, kind)  # type: ignore[arg-type]

    @cached_property
    def app_vendor(self) -> dict[str, Vendor | None]:
        """Catalog vendor of each known app (domains, then publisher, then name)."""
        vendors = self.catalogs.vendors
        return {
            app.app_id: vendors.match_app(app.domains, app.publisher, app.display_name)
            for app in self.inventory.apps
        }

    # -- vendors --------------------------------------------------------------------------

    @cached_property
    def vendor_evidence(self) -> dict[str, VendorEvidence]:
        """Evidence per vendor subject, from grants, app usage and email signals."""
        from failsafe.detections.vendors import collect_vendor_evidence

        return collect_vendor_evidence(self)

    @cached_property
    def unsanctioned(self) -> list[VendorEvidence]:
        """Vendors in use that nobody sanctioned, in subject order."""
        from failsafe.detections.vendors import unsanctioned

        return unsanctioned(self)

    def vendor_label(self, entry: VendorEvidence) -> Classification | None:
        """The AI label of a vendor the catalog lacks; None for catalog vendors and for
        vendors left unclassified (the catalog always wins over the model)."""
        if entry.vendor is not None:
            return None
        label = self.vendor_labels.get(entry.subject)
        return label if label is not None and label.source == "ai" else None

    def vendor_category(self, entry: VendorEvidence) -> str | None:
        """The catalog category of a vendor, else its AI label's category, else None."""
        if entry.vendor is not None:
            return entry.vendor.category
        label = self.vendor_label(entry)
        return label.category if label is not None else None

    def mail_vendor(self, signal: EmailSignal) -> tuple[str, Vendor | None]:
        """Subject and catalog vendor of an email signal's domain."""
        vendor = self.catalogs.vendors.by_domain(signal.vendor_domain)
        if vendor is not None:
            return vendor.id, vendor
        return registrable_domain(signal.vendor_domain), None
