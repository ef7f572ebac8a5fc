"""Assemble an :class:`Inventory` from what the sections deliver, page by page.

Sections write compact drafts here as pages arrive (users keyed by provider id, sign-ins and
mail in aggregators); :meth:`InventoryBuilder.build` resolves cross references (role holders,
MFA details, per-user grants) once at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from failsafe.inventory.aggregate import EmailSignalAggregator, SignInAggregator
from failsafe.inventory.model import (
    App,
    EmailSignal,
    Grant,
    Identity,
    Inventory,
    LicenseAssignment,
    LicenseSku,
    Provider,
    RoleAssignment,
    Section,
    SectionResult,
    SectionStatus,
    TenantInfo,
    TenantPolicies,
)


@dataclass(slots=True)
class UserDraft:
    """A user as the users section saw it; MFA and admin flags are filled in later."""

    id: str
    email: str
    display_name: str
    kind: Literal["member", "guest"]
    enabled: bool
    created_at: datetime | None
    last_sign_in_at: datetime | None
    mfa_registered: bool | None = None
    mfa_methods: tuple[str, ...] = ()
    mfa_enforced: bool | None = None
    is_admin: bool = False


class InventoryBuilder:
    """Mutable accumulation of one scan's inventory."""

    def __init__(
        self, provider: Provider, collected_at: datetime, email_seed: Iterable[EmailSignal] = ()
    ) -> None:
        self.provider = provider
        self.collected_at = collected_at
        self.tenant = TenantInfo(provider, "", "", ())
        self.sections: dict[Section, SectionResult] = {}
        self.users: dict[str, UserDraft] = {}
        self.mfa: dict[str, tuple[bool, tuple[str, ...]]] = {}  # user id -> (registered, methods)
        self.role_assignments: list[RoleAssignment] = []
        self.apps: dict[str, App] = {}
        self.grants: list[Grant] = []
        self.sign_ins = SignInAggregator()
        self.email = EmailSignalAggregator(email_seed)
        self.license_skus: dict[str, LicenseSku] = {}
        self.license_assignments: list[LicenseAssignment] = []
        self.policies = TenantPolicies()

    def collected(self, section: Section, records: int) -> None:
        """Record that ``section`` was read in full."""
        self.sections[section] = SectionResult(section, SectionStatus.COLLECTED, records)

    def not_assessed(self, section: Section, reason: str) -> None:
        """Record that ``section`` could not be read, and why."""
        self.sections[section] = SectionResult(section, SectionStatus.NOT_ASSESSED, 0, reason)

    def is_collected(self, section: Section) -> bool:
        result = self.sections.get(section)
        return result is not None and result.status is SectionStatus.COLLECTED

    def email_of(self, user_id: str) -> str | None:
        draft = self.users.get(user_id)
        return draft.email if draft else None

    def add_app(self, app: App) -> None:
        self.apps.setdefault(app.app_id, app)

    def build(self) -> Inventory:
        """The finished inventory; cross references are resolved here."""
        admins = {assignment.user for assignment in self.role_assignments}
        mfa_known = self.is_collected(Section.MFA)
        identities = [self._identity(d, admins, mfa_known) for d in self.users.values()]
        return Inventory(
            tenant=self.tenant,
            collected_at=self.collected_at,
            sections=dict(self.sections),
            identities=identities,
            role_assignments=list(self.role_assignments),
            apps=list(self.apps.values()),
            grants=[self._resolve_grant(grant) for grant in self.grants],
            app_usage=list(self.sign_ins.results()),
            email_signals=list(self.email.results()),
            license_skus=list(self.license_skus.values()),
            license_assignments=list(self.license_assignments),
            policies=self.policies,
        )

    def _identity(self, draft: UserDraft, admins: set[str], mfa_known: bool) -> Identity:
        registered, methods = draft.mfa_registered, draft.mfa_methods
        if draft.id in self.mfa:
            registered, methods = self.mfa[draft.id]
        if mfa_known and registered is None:
            registered = False  # the registration report omits users with nothing registered
        if not mfa_known:
            registered = None
        return Identity(
            id=draft.id,
            email=draft.email,
            display_name=draft.display_name,
            kind=draft.kind,
            enabled=draft.enabled,
            created_at=draft.created_at,
            last_sign_in_at=draft.last_sign_in_at,
            mfa_registered=registered,
            mfa_methods=methods,
            mfa_enforced=draft.mfa_enforced,
            is_admin=draft.is_admin or draft.email in admins,
        )

    def _resolve_grant(self, grant: Grant) -> Grant:
        # Graph names the consenting user by object id; the contract keys users by email.
        if grant.user is not None and "@" not in grant.user:
            email = self.email_of(grant.user)
            if email is not None:
                return replace(grant, user=email)
        return grant
