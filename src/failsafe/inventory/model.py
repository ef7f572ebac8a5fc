"""Provider-neutral inventory records.

Connectors turn Microsoft Graph and Google Workspace responses into these records; rules read
only these, never raw provider JSON. A section that could not be read is recorded as
``not_assessed`` with its reason, so a rule that needs it reports "not assessed" instead of
passing on data that never arrived.

Conventions every producer and consumer keeps:

- ``Identity.email`` is lower-case (UPN for Microsoft, primary email for Google) and is the key
  other records use in ``user`` fields; ``Identity.id`` is the provider's object id.
- Timestamps are timezone-aware UTC. ``None`` means never (or not reported), never "unknown
  because the section failed": that is what ``sections`` says.
- Scopes are stored as names: Graph permission values (``Mail.Read``) or full Google scope URLs.
- No mail subject or body ever appears here: email signals are vendor, user, kind, dates, count.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Provider = Literal["microsoft", "google"]


class Section(enum.StrEnum):
    """The parts of a tenant a scan reads; each is collected or not assessed."""

    ORGANIZATION = "organization"
    USERS = "users"
    SIGN_IN_ACTIVITY = "sign_in_activity"
    MFA = "mfa"
    ADMIN_ROLES = "admin_roles"
    APPS = "apps"
    GRANTS = "grants"
    APP_USAGE = "app_usage"
    EMAIL_SIGNALS = "email_signals"
    LICENSES = "licenses"
    CONSENT_POLICY = "consent_policy"
    CONDITIONAL_ACCESS = "conditional_access"


class SectionStatus(enum.StrEnum):
    COLLECTED = "collected"
    NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True, slots=True)
class SectionResult:
    """How one section of a scan went."""

    section: Section
    status: SectionStatus
    records: int = 0
    reason: str | None = None  # e.g. "403 from /auditLogs/signIns: AuditLog.Read.All missing"


@dataclass(frozen=True, slots=True)
class TenantInfo:
    provider: Provider
    tenant_id: str  # Entra tenant GUID or Google customer id
    display_name: str
    domains: tuple[str, ...]  # verified domains, lower-case; mail from these is never a vendor


@dataclass(frozen=True, slots=True)
class Identity:
    """A user account in the tenant (members and guests)."""

    id: str
    email: str
    display_name: str
    kind: Literal["member", "guest"]
    enabled: bool  # False: disabled (Microsoft) or suspended (Google)
    created_at: datetime | None
    last_sign_in_at: datetime | None  # None: never signed in
    mfa_registered: bool | None  # None only when the MFA section was not assessed
    mfa_methods: tuple[str, ...] = ()  # e.g. ("microsoftAuthenticatorPush", "fido2")
    mfa_enforced: bool | None = None  # Google: 2SV enforced for this user
    is_admin: bool = False  # holds any admin role (derived from role assignments)


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    """An admin role held by an identity."""

    user: str  # Identity.email
    role_id: str
    role_name: str
    is_global_admin: bool  # Global Administrator or Google super admin
    privileged: bool  # a role that can change identities, roles, apps or policies


@dataclass(frozen=True, slots=True)
class App:
    """A third-party or first-party application known to the tenant."""

    app_id: str  # Microsoft appId; Google OAuth client id
    display_name: str
    publisher: str | None
    publisher_verified: bool | None  # None: the provider does not say
    first_party: bool  # published by Microsoft or Google themselves
    multi_tenant: bool | None
    domains: tuple[str, ...] = ()  # registrable domains of homepage / reply URLs, lower-case
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """Permissions an app holds."""

    app_id: str
    kind: Literal["delegated", "application", "domain_wide"]
    scopes: tuple[str, ...]
    all_users: bool  # tenant-wide: admin consent, app-only, or domain-wide delegation
    user: str | None = None  # Identity.email for a per-user grant
    granted_at: datetime | None = None
    source: Literal["grant_api", "token_audit", "user_tokens"] = "grant_api"


@dataclass(frozen=True, slots=True)
class AppUsage:
    """Sign-ins to one app by one user, aggregated over the scan window."""

    app_id: str | None
    app_name: str
    user: str
    first_seen: datetime
    last_seen: datetime
    sign_ins: int
    legacy_auth: bool = False  # a legacy protocol (IMAP, POP, SMTP AUTH, EAS, "other clients")


@dataclass(frozen=True, slots=True)
class EmailSignal:
    """Machine-generated mail from a vendor to a user, from sender address and date only."""

    vendor_domain: str  # registrable domain the mail is attributed to
    user: str
    kind: Literal["signup", "billing", "security", "notification", "invite"]
    first_seen: datetime
    last_seen: datetime
    count: int


@dataclass(frozen=True, slots=True)
class LicenseSku:
    sku_id: str  # Microsoft skuId GUID; Google "productId/skuId"
    sku_name: str  # skuPartNumber (ENTERPRISEPACK) or Google SKU name
    purchased: int | None  # None: the provider does not report purchased seats
    assigned: int


@dataclass(frozen=True, slots=True)
class LicenseAssignment:
    user: str
    sku_id: str


@dataclass(frozen=True, slots=True)
class ConditionalAccessPolicy:
    id: str
    name: str
    state: Literal["enabled", "disabled", "report_only"]
    requires_mfa: bool
    blocks_legacy_auth: bool
    all_users: bool


@dataclass(frozen=True, slots=True)
class TenantPolicies:
    """Tenant-wide settings; ``None`` where the provider or the section does not tell."""

    users_can_consent: bool | None = None
    security_defaults_enabled: bool | None = None
    conditional_access: tuple[ConditionalAccessPolicy, ...] | None = None
    two_step_enforced: bool | None = None  # Google: 2SV enforced for the whole domain


@dataclass
class Inventory:
    """Everything one scan of one tenant produced."""

    tenant: TenantInfo
    collected_at: datetime
    sections: dict[Section, SectionResult] = field(default_factory=dict)
    identities: list[Identity] = field(default_factory=list)
    role_assignments: list[RoleAssignment] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    app_usage: list[AppUsage] = field(default_factory=list)
    email_signals: list[EmailSignal] = field(default_factory=list)
    license_skus: list[LicenseSku] = field(default_factory=list)
    license_assignments: list[LicenseAssignment] = field(default_factory=list)
    policies: TenantPolicies = field(default_factory=TenantPolicies)

    def assessed(self, section: Section) -> bool:
        """True when ``section`` was collected in full."""
        result = self.sections.get(section)
        return result is not None and result.status is SectionStatus.COLLECTED
