"""Identity rules ID-001..ID-015 (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterable

from failsafe.detections.context import PHISHING_RESISTANT, Context, sample
from failsafe.detections.model import Finding, RuleSpec
from failsafe.detections.rules import rule
from failsafe.inventory.model import Identity


def _user_finding(ctx: Context, spec: RuleSpec, identity: Identity, title: str) -> Finding:
    evidence = {
        "user": identity.email,
        "user_id": identity.id,
        "display_name": identity.display_name,
        "roles": sorted(ctx.roles_by_user.get(identity.email, ())),
        "last_sign_in_at": identity.last_sign_in_at.isoformat()
        if identity.last_sign_in_at
        else None,
    }
    return ctx.finding(spec, identity.email, title, evidence)


def _tenant_finding(ctx: Context, spec: RuleSpec, title: str, users: Iterable[str]) -> Finding:
    users = list(users)
    return ctx.finding(spec, "tenant", title, {"users": sample(users), "user_count": len(users)})


def _enabled_admins(ctx: Context) -> Iterable[Identity]:
    for identity in ctx.inventory.identities:
        if identity.enabled and identity.email in ctx.admin_users:
            yield identity


def _enabled_global_admins(ctx: Context) -> list[str]:
    return sorted(
        email
        for email in ctx.global_admins
        if (identity := ctx.identities.get(email)) is not None and identity.enabled
    )


@rule("ID-001")
def admin_without_mfa(ctx: Context, spec: RuleSpec) -> list[Finding]:
    return [
        _user_finding(ctx, spec, i, f"Administrator {i.email} has no MFA registered")
        for i in _enabled_admins(ctx)
        if i.mfa_registered is False
    ]


@rule("ID-002")
def users_without_mfa(ctx: Context, spec: RuleSpec) -> list[Finding]:
    users = [
        i.email
        for i in ctx.inventory.identities
        if i.enabled
        and i.kind == "member"
        and i.email not in ctx.admin_users
        and i.mfa_registered is False
    ]
    if not users:
        return []
    return [_tenant_finding(ctx, spec, f"{len(users)} users have no MFA registered", users)]


@rule("ID-003")
def too_many_global_admins(ctx: Context, spec: RuleSpec) -> list[Finding]:
    admins = _enabled_global_admins(ctx)
    if len(admins) <= ctx.thresholds.max_global_admins:
        return []
    return [_tenant_finding(ctx, spec, f"{len(admins)} enabled global administrators", admins)]


@rule("ID-004")
def too_few_global_admins(ctx: Context, spec: RuleSpec) -> list[Finding]:
    admins = _enabled_global_admins(ctx)
    if len(admins) >= ctx.thresholds.min_global_admins:
        return []
    title = f"Only {len(admins)} enabled global administrator(s)"
    return [_tenant_finding(ctx, spec, title, admins)]


@rule("ID-005")
def stale_identities(ctx: Context, spec: RuleSpec) -> list[Finding]:
    users = [
        i.email
        for i in ctx.inventory.identities
        if i.email not in ctx.admin_users and ctx.is_stale(i)
    ]
    if not users:
        return []
    days = ctx.thresholds.stale_days
    return [_tenant_finding(ctx, spec, f"{len(users)} accounts inactive for {days}+ days", users)]


@rule("ID-006")
def disabled_admin(ctx: Context, spec: RuleSpec) -> list[Finding]:
    return [
        _user_finding(ctx, spec, i, f"Disabled account {i.email} still holds an admin role")
        for i in ctx.inventory.identities
        if not i.enabled and i.email in ctx.admin_users
    ]


@rule("ID-007")
def guest_admin(ctx: Context, spec: RuleSpec) -> list[Finding]:
    return [
        _user_finding(ctx, spec, i, f"Guest {i.email} holds an admin role")
        for i in ctx.inventory.identities
        if i.kind == "guest" and i.email in ctx.admin_users
    ]


@rule("ID-008")
def legacy_sign_ins(ctx: Context, spec: RuleSpec) -> list[Finding]:
    legacy = [u for u in ctx.inventory.app_usage if u.legacy_auth]
    if not legacy:
        return []
    users = {u.user for u in legacy}
    evidence = {
        "users": sample(users),
        "user_count": len(users),
        "sign_ins": sum(u.sign_ins for u in legacy),
        "apps": sorted({u.app_name for u in legacy})[:20],
    }
    title = f"{len(users)} user(s) signed in with legacy authentication"
    return [ctx.finding(spec, "tenant", title, evidence)]


def _defaults_off(ctx: Context) -> bool | None:
    """None when the conditional-access data is missing."""
    policies = ctx.inventory.policies
    if policies.conditional_access is None and policies.security_defaults_enabled is None:
        return None
    return not policies.security_defaults_enabled


@rule("ID-009")
def no_mfa_policy(ctx: Context, spec: RuleSpec) -> list[Finding] | None:
    off = _defaults_off(ctx)
    if off is None:
        return None
    enforcing = [
        p.id
        for p in ctx.inventory.policies.conditional_access or ()
        if p.state == "enabled" and p.requires_mfa and p.all_users
    ]
    if not off or enforcing:
        return []
    title = "No policy requires MFA for all users and security defaults are off"
    evidence = {"security_defaults_enabled": False, "policies": _policy_ids(ctx)}
    return [ctx.finding(spec, "tenant", title, evidence)]


@rule("ID-010")
def no_two_step(ctx: Context, spec: RuleSpec) -> list[Finding] | None:
    enforced = ctx.inventory.policies.two_step_enforced
    if enforced is None:
        return None
    if enforced:
        return []
    users = [i.email for i in ctx.inventory.identities if i.enabled and not i.mfa_enforced]
    return [_tenant_finding(ctx, spec, "2-Step Verification is not enforced", users)]


@rule("ID-011")
def admin_not_phishing_resistant(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for identity in _enabled_admins(ctx):
        methods = {m.lower() for m in identity.mfa_methods}
        if identity.mfa_registered is True and not methods & PHISHING_RESISTANT:
            title = f"Administrator {identity.email} has no phishing-resistant MFA method"
            findings.append(_user_finding(ctx, spec, identity, title))
    return findings


@rule("ID-012")
def stale_admin(ctx: Context, spec: RuleSpec) -> list[Finding]:
    days = ctx.thresholds.admin_stale_days
    return [
        _user_finding(ctx, spec, i, f"Administrator {i.email} has not signed in for {days}+ days")
        for i in _enabled_admins(ctx)
        if ctx.is_stale(i, days)
    ]


@rule("ID-013")
def legacy_not_blocked(ctx: Context, spec: RuleSpec) -> list[Finding] | None:
    off = _defaults_off(ctx)
    if off is None:
        return None
    blocking = [
        p.id
        for p in ctx.inventory.policies.conditional_access or ()
        if p.state == "enabled" and p.blocks_legacy_auth
    ]
    if not off or blocking:
        return []
    title = "No policy blocks legacy authentication and security defaults are off"
    evidence = {"security_defaults_enabled": False, "policies": _policy_ids(ctx)}
    return [ctx.finding(spec, "tenant", title, evidence)]


def _policy_ids(ctx: Context) -> list[str]:
    return sorted(p.id for p in ctx.inventory.policies.conditional_access or ())[:50]


@rule("ID-014")
def stale_guests(ctx: Context, spec: RuleSpec) -> list[Finding]:
    users = [i.email for i in ctx.inventory.identities if i.kind == "guest" and ctx.is_stale(i)]
    if not users:
        return []
    return [_tenant_finding(ctx, spec, f"{len(users)} guest accounts are inactive", users)]


@rule("ID-015")
def admin_with_productivity_license(ctx: Context, spec: RuleSpec) -> list[Finding]:
    skus = {s.sku_id: s for s in ctx.inventory.license_skus}
    productive: dict[str, list[str]] = {}
    for assignment in ctx.inventory.license_assignments:
        sku = skus.get(assignment.sku_id)
        entry = ctx.catalogs.skus.get(assignment.sku_id, sku.sku_name if sku else None)
        if entry is not None and entry.productivity and entry.price > 0:
            productive.setdefault(assignment.user, []).append(entry.part_number)
    findings = []
    for email in _enabled_global_admins(ctx):
        if email in productive:
            identity = ctx.identities[email]
            title = f"Global administrator {email} also holds {productive[email][0]}"
            finding = _user_finding(ctx, spec, identity, title)
            finding.evidence["skus"] = sorted(productive[email])
            findings.append(finding)
    return findings
