"""App-permission rules AP-001..AP-010 (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from failsafe.catalog.models import TIER_RANK
from failsafe.detections.context import Context, sample
from failsafe.detections.model import Finding, RuleSpec
from failsafe.detections.rules import rule
from failsafe.inventory.model import Grant

_HIGH = TIER_RANK["high"]


def _third_party_grants(ctx: Context) -> Iterator[tuple[str, list[Grant]]]:
    for app_id, grants in sorted(ctx.grants_by_app.items()):
        if grants and ctx.third_party(app_id):
            yield app_id, grants


def _scopes_at(ctx: Context, grants: list[Grant], minimum: int) -> dict[str, str]:
    """Scope -> tier for every scope of ``grants`` at or above tier rank ``minimum``."""
    found: dict[str, str] = {}
    for grant in grants:
        for scope in grant.scopes:
            tier = ctx.scope_tier(scope, grant.kind)
            rank = TIER_RANK[tier]
            if rank >= minimum and (scope not in found or rank > TIER_RANK[found[scope]]):
                found[scope] = tier
    return found


def _evidence(ctx: Context, app_id: str, grants: list[Grant], **extra: object) -> dict[str, object]:
    users = {g.user for g in grants if g.user}
    app = ctx.apps.get(app_id)
    evidence: dict[str, object] = {
        "app_id": app_id,
        "app_name": ctx.app_name(app_id),
        "publisher": app.publisher if app is not None else None,
        "grant_kinds": sorted({g.kind for g in grants}),
        "all_users": any(g.all_users for g in grants),
        "users": sample(users),
        "user_count": len(users),
    }
    evidence.update(extra)
    return evidence


@rule("AP-001")
def critical_scope(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        critical = sorted(s for s, t in _scopes_at(ctx, grants, TIER_RANK["critical"]).items())
        if critical:
            title = f"{ctx.app_name(app_id)} holds critical scope(s): {', '.join(critical[:3])}"
            findings.append(
                ctx.finding(spec, app_id, title, _evidence(ctx, app_id, grants, scopes=critical))
            )
    return findings


@rule("AP-002")
def high_scope(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        scopes = _scopes_at(ctx, grants, _HIGH)
        if scopes and "critical" not in scopes.values():
            names = sorted(scopes)
            title = f"{ctx.app_name(app_id)} holds high-risk scope(s): {', '.join(names[:3])}"
            findings.append(
                ctx.finding(spec, app_id, title, _evidence(ctx, app_id, grants, scopes=names))
            )
    return findings


@rule("AP-003")
def tenant_wide_consent(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        wide = [g for g in grants if g.kind == "delegated" and g.all_users]
        scopes = sorted(_scopes_at(ctx, wide, _HIGH))
        if scopes:
            title = f"{ctx.app_name(app_id)} was consented for all users with {scopes[0]}"
            findings.append(
                ctx.finding(spec, app_id, title, _evidence(ctx, app_id, wide, scopes=scopes))
            )
    return findings


@rule("AP-004")
def app_only(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        application = [g for g in grants if g.kind == "application"]
        scopes = sorted(_scopes_at(ctx, application, _HIGH))
        if scopes:
            title = f"{ctx.app_name(app_id)} has app-only {', '.join(scopes[:3])}"
            findings.append(
                ctx.finding(spec, app_id, title, _evidence(ctx, app_id, application, scopes=scopes))
            )
    return findings


@rule("AP-005")
def unverified_publisher(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        app = ctx.apps.get(app_id)
        if app is not None and app.publisher_verified is False:
            title = f"{app.display_name} holds grants but its publisher is not verified"
            findings.append(ctx.finding(spec, app_id, title, _evidence(ctx, app_id, grants)))
    return findings


@rule("AP-006")
def unused_app(ctx: Context, spec: RuleSpec) -> list[Finding]:
    cutoff = ctx.now - timedelta(days=ctx.thresholds.unused_app_days)
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        if any(u.last_seen >= cutoff for u in ctx.usage_by_app.get(app_id, ())):
            continue
        dates = [g.granted_at for g in grants if g.granted_at is not None]
        # Limitation: grants with no date (Google token lists) cannot be aged; a grant-date
        # source (the token audit log) would let this rule judge them too.
        if not dates or max(dates) >= cutoff:
            continue
        newest = max(dates)
        title = f"{ctx.app_name(app_id)} is unused but still holds grants"
        evidence = _evidence(ctx, app_id, grants, newest_grant=newest.isoformat())
        findings.append(ctx.finding(spec, app_id, title, evidence))
    return findings


@rule("AP-007")
def user_consent(ctx: Context, spec: RuleSpec) -> list[Finding] | None:
    allowed = ctx.inventory.policies.users_can_consent
    if allowed is None:
        return None
    if not allowed:
        return []
    title = "Users can consent to third-party apps on their own"
    return [ctx.finding(spec, "tenant", title, {"users_can_consent": True})]


@rule("AP-008")
def domain_wide(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        dwd = [g for g in grants if g.kind == "domain_wide"]
        if dwd:
            scopes = sorted({s for g in dwd for s in g.scopes})
            title = f"{ctx.app_name(app_id)} holds domain-wide delegation"
            findings.append(
                ctx.finding(spec, app_id, title, _evidence(ctx, app_id, dwd, scopes=scopes))
            )
    return findings


@rule("AP-009")
def many_individual_consents(ctx: Context, spec: RuleSpec) -> list[Finding]:
    google = ctx.provider == "google"
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        by_user: dict[str, list[Grant]] = {}
        for grant in grants:
            if grant.user and not grant.all_users:
                by_user.setdefault(grant.user, []).append(grant)
        users = []
        for user, held in by_user.items():
            scopes = {s for g in held for s in g.scopes}
            persistent = google or "offline_access" in scopes
            if persistent and _scopes_at(ctx, held, _HIGH):
                users.append(user)
        if len(users) >= ctx.thresholds.many_individual_consents:
            title = f"{len(users)} users gave {ctx.app_name(app_id)} long-lived high-risk access"
            evidence = _evidence(ctx, app_id, grants)
            evidence.update(users=sample(users), user_count=len(users))
            findings.append(ctx.finding(spec, app_id, title, evidence))
    return findings


@rule("AP-010")
def unknown_multi_tenant(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for app_id, grants in _third_party_grants(ctx):
        app = ctx.apps.get(app_id)
        if app is None or app.multi_tenant is not True or ctx.app_vendor.get(app_id) is not None:
            continue
        title = f"Unknown multi-tenant app {app.display_name} holds grants"
        findings.append(ctx.finding(spec, app_id, title, _evidence(ctx, app_id, grants)))
    return findings
