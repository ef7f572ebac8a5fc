"""Hand-built inventories for rule tests: a healthy baseline each test breaks one way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from failsafe.detections.engine import evaluate
from failsafe.detections.model import RuleOutcome
from failsafe.inventory.model import (
    App,
    ConditionalAccessPolicy,
    Identity,
    Inventory,
    LicenseAssignment,
    LicenseSku,
    RoleAssignment,
    Section,
    SectionResult,
    SectionStatus,
    TenantInfo,
    TenantPolicies,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DOMAIN = "contoso.com"
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
FLOW_FREE = "f30db892-07e9-47e9-837c-80727f46fd3d"
P2 = "84a661c4-e949-4bd2-a560-ed7766fcaf2b"


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def user(
    name: str,
    *,
    kind: str = "member",
    enabled: bool = True,
    last: int | None = 1,
    created: int = 400,
    mfa: bool | None = True,
    methods: tuple[str, ...] = ("microsoftAuthenticatorPush",),
    admin: bool = False,
    enforced: bool | None = None,
) -> Identity:
    return Identity(
        id=f"id-{name}",
        email=f"{name}@{DOMAIN}",
        display_name=name.title(),
        kind=kind,  # type: ignore[arg-type]
        enabled=enabled,
        created_at=ago(created),
        last_sign_in_at=ago(last) if last is not None else None,
        mfa_registered=mfa,
        mfa_methods=methods,
        mfa_enforced=enforced,
        is_admin=admin,
    )


def global_admin(name: str) -> RoleAssignment:
    return RoleAssignment(f"{name}@{DOMAIN}", "62e90394", "Global Administrator", True, True)


def healthy(provider: str = "microsoft") -> Inventory:
    """A tenant no rule flags: 3 MFA'd members, 2 FIDO2 global admins, clean policies."""
    admins = [user(n, admin=True, methods=("fido2",), enforced=True) for n in ("ada", "bob")]
    members = [user(n, enforced=True) for n in ("cy", "dee", "eve")]
    policies = TenantPolicies(
        users_can_consent=False,
        security_defaults_enabled=False,
        conditional_access=(
            ConditionalAccessPolicy("ca1", "MFA all", "enabled", True, False, True),
            ConditionalAccessPolicy("ca2", "Block legacy", "enabled", False, True, True),
        ),
        two_step_enforced=True if provider == "google" else None,
    )
    inventory = Inventory(
        tenant=TenantInfo(provider, "tenant-1", "Contoso", (DOMAIN,)),  # type: ignore[arg-type]
        collected_at=NOW,
        sections={s: SectionResult(s, SectionStatus.COLLECTED, 1) for s in Section},
        identities=[*admins, *members],
        role_assignments=[global_admin("ada"), global_admin("bob")],
        apps=[App("graph", "Microsoft Graph", "Microsoft", True, True, True)],
        license_skus=[
            LicenseSku(E3, "SPE_E3", 3, 3),
            LicenseSku(FLOW_FREE, "FLOW_FREE", 10000, 2),
            LicenseSku(P2, "AAD_PREMIUM_P2", 2, 2),
        ],
        license_assignments=[
            *(LicenseAssignment(f"{n}@{DOMAIN}", E3) for n in ("cy", "dee", "eve")),
            *(LicenseAssignment(f"{n}@{DOMAIN}", P2) for n in ("ada", "bob")),
            *(LicenseAssignment(f"{n}@{DOMAIN}", FLOW_FREE) for n in ("cy", "dee")),
        ],
        policies=policies,
    )
    return inventory


def without(inventory: Inventory, *sections: Section) -> Inventory:
    """The same inventory with ``sections`` not assessed."""
    for section in sections:
        inventory.sections[section] = SectionResult(
            section, SectionStatus.NOT_ASSESSED, 0, "403 in test"
        )
    return inventory


def run(inventory: Inventory, rule_id: str, **kwargs: Any) -> RuleOutcome:
    """The outcome of one rule on ``inventory``."""
    (outcome,) = evaluate(inventory, only=[rule_id], **kwargs)
    return outcome


def subjects(outcome: RuleOutcome) -> set[str]:
    return {f.subject for f in outcome.findings}
