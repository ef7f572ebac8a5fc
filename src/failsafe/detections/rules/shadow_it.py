"""Shadow IT rules SH-001..SH-008 (docs/rules.md)."""

from __future__ import annotations

from failsafe.detections.context import Context, VendorEvidence, sample
from failsafe.detections.model import Finding, RuleSpec, Severity
from failsafe.detections.rules import rule

_DATA_RISK = {
    "SH-004": frozenset({"gen_ai"}),
    "SH-005": frozenset({"file_transfer", "storage"}),
    "SH-006": frozenset({"ai_notetaker", "call_recording"}),
}


def _name(entry: VendorEvidence) -> str:
    return entry.vendor.name if entry.vendor is not None else entry.subject


def _evidence(
    ctx: Context, entry: VendorEvidence, users: set[str] | None = None
) -> dict[str, object]:
    users = entry.users if users is None else users
    evidence: dict[str, object] = {
        "vendor": entry.subject,
        "vendor_name": _name(entry),
        "users": sample(users),
        "user_count": len(users),
        "apps": sample(entry.apps),
        "sources": sorted(
            source
            for source, present in (
                ("grants", bool(entry.apps)),
                ("app_usage", bool(entry.usage_users)),
                ("email", bool(entry.mail_users)),
            )
            if present
        ),
    }
    label = ctx.vendor_label(entry)
    if entry.vendor is not None:
        evidence["category"] = entry.vendor.category
        evidence["catalog_risk"] = entry.vendor.risk
    elif label is not None:
        # Said apart from catalog facts: a model's label is a hint for the reader, not a fact.
        evidence["category"] = label.category
        evidence["category_source"] = "ai"
        evidence["ai_risk"] = label.risk
    if entry.mail_users:
        evidence["mail_kinds"] = {k: len(v) for k, v in sorted(entry.mail_users.items())}
    return evidence


@rule("SH-001")
def unsanctioned_vendor(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for entry in ctx.unsanctioned:
        if entry.vendor is None:
            continue
        severity = Severity.HIGH if entry.vendor.risk == "H" else spec.severity
        title = f"{entry.vendor.name} is in use by {len(entry.users)} user(s) without approval"
        findings.append(
            ctx.finding(spec, entry.subject, title, _evidence(ctx, entry), severity=severity)
        )
    return findings


def _mail_rule(ctx: Context, spec: RuleSpec, kinds: tuple[str, ...], what: str) -> list[Finding]:
    findings = []
    for entry in ctx.unsanctioned:
        users = entry.mail_users_of(*kinds)
        if users:
            title = f"{_name(entry)} sent {what} mail to {len(users)} user(s)"
            findings.append(ctx.finding(spec, entry.subject, title, _evidence(ctx, entry, users)))
    return findings


@rule("SH-002")
def identity_outside_sso(ctx: Context, spec: RuleSpec) -> list[Finding]:
    return _mail_rule(ctx, spec, ("signup", "security"), "sign-up or password")


@rule("SH-003")
def paid_outside_procurement(ctx: Context, spec: RuleSpec) -> list[Finding]:
    return _mail_rule(ctx, spec, ("billing",), "billing")


def _category_rule(ctx: Context, spec: RuleSpec) -> list[Finding]:
    """Catalog vendors of the rule's categories, and vendors the catalog lacks that the AI
    enrichment put there. A model's answer can only add such a finding, never remove one."""
    categories = _DATA_RISK[spec.id]
    findings = []
    for entry in ctx.unsanctioned:
        category = ctx.vendor_category(entry)
        if category in categories and entry.in_use:
            label = ctx.catalogs.vendors.categories[category].label
            title = f"{label} service {_name(entry)} in use by {len(entry.users)} user(s)"
            findings.append(ctx.finding(spec, entry.subject, title, _evidence(ctx, entry)))
    return findings


rule("SH-004")(_category_rule)
rule("SH-005")(_category_rule)
rule("SH-006")(_category_rule)


@rule("SH-007")
def unknown_vendor_signups(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for entry in ctx.unsanctioned:
        if entry.vendor is not None:
            continue
        users = entry.mail_users_of("signup", "billing")
        if len(users) >= ctx.thresholds.unknown_vendor_min_users:
            title = f"Unknown vendor {entry.subject} signed up {len(users)} users"
            findings.append(ctx.finding(spec, entry.subject, title, _evidence(ctx, entry, users)))
    return findings


@rule("SH-008")
def many_unsanctioned(ctx: Context, spec: RuleSpec) -> list[Finding]:
    vendors = [e.subject for e in ctx.unsanctioned if e.in_use]
    if len(vendors) < ctx.thresholds.many_unsanctioned_vendors:
        return []
    title = f"{len(vendors)} unsanctioned SaaS vendors are in use"
    evidence = {"vendors": sample(vendors), "vendor_count": len(vendors)}
    return [ctx.finding(spec, "tenant", title, evidence)]
