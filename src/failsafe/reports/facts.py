"""Report tables derived from a stored scan's inventory: pure functions, no database.

Where a section was not assessed the figure is ``None`` ("not assessed" in the report), never
zero: a missing section must not read as a clean result.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

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


def third_party_apps(
    inventory: Inventory, scope_tiers: dict[str, str] | None = None
) -> tuple[ThirdPartyApp, ...]:
    """Third-party apps holding grants, most permissive first.

    ``scope_tiers`` maps a scope name to its tier (the scope catalog); unknown scopes are
    medium, as in docs/rules.md. Without a catalog every tier reads "unrated".
    """
    grants = defaultdict(list)
    for grant in inventory.grants:
        grants[grant.app_id].append(grant)
    last_used: dict[str, datetime] = {}
    for usage in inventory.app_usage:
        if usage.app_id and (
            usage.app_id not in last_used or usage.last_seen > last_used[usage.app_id]
        ):
            last_used[usage.app_id] = usage.last_seen
    apps = []
    for app in inventory.apps:
        held = grants.get(app.app_id)
        if app.first_party or not held:
            continue
        scopes = sorted({s for g in held for s in g.scopes})
        if scope_tiers is None:
            tier = "unrated"
        else:
            tiers = {scope_tiers.get(s, "medium") for s in scopes}
            tier = next((t for t in _TIER_ORDER if t in tiers), "low")
        apps.append(
            ThirdPartyApp(
                name=app.display_name,
                app_id=app.app_id,
                publisher=app.publisher,
                publisher_verified=app.publisher_verified,
                highest_tier=tier,
                scopes=tuple(scopes),
                grant_kinds=tuple(sorted({g.kind for g in held})),
                users=len({g.user for g in held if g.user}),
                tenant_wide=any(g.all_users for g in held),
                last_used=last_used.get(app.app_id),
            )
        )
    rank = {t: i for i, t in enumerate((*_TIER_ORDER, "unrated"))}
    return tuple(sorted(apps, key=lambda a: (rank.get(a.highest_tier, 9), -a.users, a.name)))


def shadow_it(inventory: Inventory, flagged: set[str]) -> tuple[ShadowItVendor, ...]:
    """Vendors seen in mail and third-party grants, keyed by registrable domain.

    ``flagged`` holds the subjects of shadow-IT findings: a vendor without one is sanctioned.
    """
    # Limitation: vendor names and categories come from the vendor catalog, which the
    # detections package owns; until it is wired here the domain is the name and the category
    # "uncatalogued". Reading the catalog in this function would fix it.
    users: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, datetime] = {}
    for signal in inventory.email_signals:
        domain = signal.vendor_domain
        users[domain].add(signal.user)
        sources[domain].add("email")
        seen[domain] = max(seen.get(domain, signal.last_seen), signal.last_seen)
    apps = {a.app_id: a for a in inventory.apps if not a.first_party and a.domains}
    for grant in inventory.grants:
        app = apps.get(grant.app_id)
        if app is None:
            continue
        domain = app.domains[0]
        sources[domain].add("grant")
        if grant.user:
            users[domain].add(grant.user)
    vendors = [
        ShadowItVendor(
            name=domain,
            domain=domain,
            category="uncatalogued",
            risk="unknown",
            users=len(users[domain]),
            sources=tuple(sorted(sources[domain])),
            sanctioned=domain not in flagged,
            last_seen=seen.get(domain),
        )
        for domain in sources
    ]
    return tuple(sorted(vendors, key=lambda v: (v.sanctioned, -v.users, v.domain)))
