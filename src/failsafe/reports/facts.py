"""Report tables derived from a stored scan's inventory: pure functions, no database.

Where a section was not assessed the figure is ``None`` ("not assessed" in the report), never
zero: a missing section must not read as a clean result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from failsafe.detections.context import Context
from failsafe.detections.vendors import is_sanctioned
from failsafe.enrichment.models import Classification
from failsafe.inventory.model import Identity, Inventory, Section
from failsafe.reports.view import (
    IdentityStats,
    SectionCoverage,
    ShadowItVendor,
    TenantScope,
    ThirdPartyApp,
)

STALE_AFTER = timedelta(days=90)  # docs/rules.md "stale"
_TIER_ORDER = ("critical", "high", "medium", "low")


def tenant_scope(inventory: Inventory) -> TenantScope:
    """The tenant and how each of its sections went."""
    sections = tuple(
        SectionCoverage(
            result.section.value,
            "collected" if inventory.assessed(result.section) else "not_assessed",
            result.records,
            result.reason,
        )
        for result in sorted(
            inventory.sections.values(), key=lambda r: list(Section).index(r.section)
        )
    )
    tenant = inventory.tenant
    return TenantScope(tenant.provider, tenant.tenant_id, tenant.display_name, sections)


def _stale(identity: Identity, now: datetime) -> bool:
    if identity.last_sign_in_at is not None:
        return identity.last_sign_in_at < now - STALE_AFTER
    return identity.created_at is not None and identity.created_at < now - STALE_AFTER


def identity_stats(inventory: Inventory) -> IdentityStats:
    """Headline identity figures, ``None`` for what a missing section cannot tell."""
    if not inventory.assessed(Section.USERS):
        return IdentityStats()
    people = inventory.identities
    enabled = [i for i in people if i.enabled]
    mfa = inventory.assessed(Section.MFA)
    roles = inventory.assessed(Section.ADMIN_ROLES)
    admins = [i for i in enabled if i.is_admin]
    now = inventory.collected_at
    return IdentityStats(
        users=len(people),
        enabled_users=len(enabled),
        guests=sum(1 for i in people if i.kind == "guest"),
        admins=len(admins) if roles else None,
        admins_without_mfa=(
            sum(1 for i in admins if i.mfa_registered is False) if mfa and roles else None
        ),
        users_without_mfa=(
            sum(1 for i in enabled if not i.is_admin and i.mfa_registered is False) if mfa else None
        ),
        stale_accounts=(
            sum(1 for i in enabled if _stale(i, now))
            if inventory.assessed(Section.SIGN_IN_ACTIVITY)
            else None
        ),
    )


TierOf = Callable[[str, str], str]  # (scope name, grant kind) -> tier


def third_party_apps(
    inventory: Inventory, tier_of: TierOf | None = None
) -> tuple[ThirdPartyApp, ...]:
    """Third-party apps holding grants, most permissive first.

    ``tier_of`` gives a scope's tier for a grant kind (the scope catalog); without it every app
    reads "unrated".
    """
    grants = defaultdict(list)
    for grant in inventory.grants:
        grants[grant.app_id].append(grant)
    last_used: dict[str, datetime] = {}
    for usage in inventory.app_usage:
        if usage.app_id is None:
            continue
        previous = last_used.get(usage.app_id)
        if previous is None or usage.last_seen > previous:
            last_used[usage.app_id] = usage.last_seen
    apps = []
    for app in inventory.apps:
        held = grants.get(app.app_id)
        if app.first_party or not held:
            continue
        if tier_of is None:
            tier = "unrated"
        else:
            tiers = {tier_of(s, g.kind) for g in held for s in g.scopes}
            tier = next((t for t in _TIER_ORDER if t in tiers), "low")
        apps.append(
            ThirdPartyApp(
                name=app.display_name,
                app_id=app.app_id,
                publisher=app.publisher,
                publisher_verified=app.publisher_verified,
                highest_tier=tier,
                scopes=tuple(sorted({s for g in held for s in g.scopes})),
                grant_kinds=tuple(sorted({g.kind for g in held})),
                users=len({g.user for g in held if g.user}),
                tenant_wide=any(g.all_users for g in held),
                last_used=last_used.get(app.app_id),
            )
        )
    rank = {t: i for i, t in enumerate((*_TIER_ORDER, "unrated"))}
    return tuple(sorted(apps, key=lambda a: (rank.get(a.highest_tier, 9), -a.users, a.name)))


def _category_label(context: Context, category: str) -> str:
    known = context.catalogs.vendors.categories.get(category)
    return known.label if known else category


def shadow_it(context: Context, labels: Mapping[str, Classification]) -> tuple[ShadowItVendor, ...]:
    """Every vendor seen in use (grants, sign-ins, mail), with the rules' sanctioned verdict.

    ``labels`` are the enrichment's labels of uncatalogued vendors, by domain.
    """
    vendors = []
    for entry in context.vendor_evidence.values():
        sources = [
            name
            for name, present in (
                ("grant", entry.apps),
                ("sign-in", entry.usage_users),
                ("email", entry.mail_users),
            )
            if present
        ]
        vendor = entry.vendor
        label = labels.get(entry.subject) if vendor is None else None
        category, risk = "not in catalog", "unknown"
        if vendor is not None:
            category, risk = _category_label(context, vendor.category), vendor.risk
        elif label is not None and label.source == "ai":
            # Say where the label came from: a model's reading of public facts, not our catalog.
            category = f"{_category_label(context, label.category)} (AI-classified)"
            risk = label.risk
        vendors.append(
            ShadowItVendor(
                name=vendor.name if vendor else entry.subject,
                domain=vendor.domains[0] if vendor else entry.subject,
                category=category,
                risk=risk,
                users=len(entry.users),
                sources=tuple(sources),
                sanctioned=is_sanctioned(context, entry),
            )
        )
    return tuple(sorted(vendors, key=lambda v: (v.sanctioned, -v.users, v.name.lower())))
