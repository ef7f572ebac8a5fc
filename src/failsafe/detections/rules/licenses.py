"""License rules LW-001..LW-005 (docs/rules.md). Free SKUs never produce findings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from failsafe.detections.context import Context, sample
from failsafe.detections.model import Finding, RuleSpec, Severity
from failsafe.detections.rules import rule
from failsafe.inventory.model import Identity, LicenseSku


def _paid_skus(ctx: Context) -> dict[str, LicenseSku]:
    return {
        s.sku_id: s
        for s in ctx.inventory.license_skus
        if not ctx.catalogs.skus.is_free(s.sku_id, s.sku_name)
    }


def _label(ctx: Context, sku: LicenseSku) -> str:
    entry = ctx.catalogs.skus.get(sku.sku_id, sku.sku_name)
    return entry.name if entry is not None else sku.sku_name


def _cost(ctx: Context, sku: LicenseSku, seats: int) -> float | None:
    price = ctx.catalogs.skus.price(sku.sku_id, sku.sku_name)
    return seats * price if price is not None else None


def _sku_evidence(
    ctx: Context, sku: LicenseSku, seats: int, users: list[str] | None = None
) -> dict[str, object]:
    price = ctx.catalogs.skus.price(sku.sku_id, sku.sku_name)
    evidence: dict[str, object] = {
        "sku_id": sku.sku_id,
        "sku_name": sku.sku_name,
        "friendly_name": _label(ctx, sku),
        "seats": seats,
        "unit_price": price,
        "purchased": sku.purchased,
        "assigned": sku.assigned,
    }
    if users is not None:
        evidence["users"] = sample(users)
        evidence["user_count"] = len(users)
    cost = _cost(ctx, sku, seats)
    if cost is not None:
        evidence["yearly_cost"] = round(12 * cost, 2)
    return evidence


@rule("LW-001")
def unassigned_seats(ctx: Context, spec: RuleSpec) -> list[Finding]:
    findings = []
    for sku in _paid_skus(ctx).values():
        if sku.purchased is None:
            continue
        idle = sku.purchased - sku.assigned
        if idle < 1:
            continue
        severity = Severity.MEDIUM if idle >= ctx.thresholds.unassigned_seats_medium else None
        title = f"{idle} unassigned {_label(ctx, sku)} seat(s)"
        findings.append(
            ctx.finding(
                spec,
                sku.sku_id,
                title,
                _sku_evidence(ctx, sku, idle),
                severity=severity,
                monthly_cost=_cost(ctx, sku, idle),
            )
        )
    return findings


def _holders_rule(
    ctx: Context, spec: RuleSpec, matches: Callable[[Identity], bool], what: str
) -> list[Finding]:
    paid = _paid_skus(ctx)
    holders: dict[str, list[str]] = {}
    for assignment in ctx.inventory.license_assignments:
        if assignment.sku_id not in paid:
            continue
        identity = ctx.identities.get(assignment.user)
        if identity is not None and matches(identity):
            holders.setdefault(assignment.sku_id, []).append(identity.email)
    findings = []
    for sku_id, users in sorted(holders.items()):
        sku = paid[sku_id]
        title = f"{len(users)} {_label(ctx, sku)} licence(s) on {what}"
        findings.append(
            ctx.finding(
                spec,
                sku_id,
                title,
                _sku_evidence(ctx, sku, len(users), users),
                monthly_cost=_cost(ctx, sku, len(users)),
            )
        )
    return findings


@rule("LW-002")
def disabled_holders(ctx: Context, spec: RuleSpec) -> list[Finding]:
    return _holders_rule(ctx, spec, lambda i: not i.enabled, "disabled accounts")


@rule("LW-003")
def stale_holders(ctx: Context, spec: RuleSpec) -> list[Finding]:
    return _holders_rule(ctx, spec, ctx.is_stale, "dormant accounts")


@rule("LW-005")
def never_signed_in(ctx: Context, spec: RuleSpec) -> list[Finding]:
    cutoff = ctx.now - timedelta(days=ctx.thresholds.never_signed_in_days)

    def matches(identity: Identity) -> bool:
        return (
            identity.last_sign_in_at is None
            and identity.created_at is not None
            and identity.created_at < cutoff
        )

    return _holders_rule(ctx, spec, matches, "accounts that never signed in")


@rule("LW-004")
def overlapping(ctx: Context, spec: RuleSpec) -> list[Finding]:
    paid = _paid_skus(ctx)
    catalog = ctx.catalogs.skus
    entries = {
        sku_id: entry
        for sku_id, sku in paid.items()
        if (entry := catalog.get(sku_id, sku.sku_name)) is not None
    }
    by_user: dict[str, list[str]] = {}
    for assignment in ctx.inventory.license_assignments:
        if assignment.sku_id in entries:
            by_user.setdefault(assignment.user, []).append(assignment.sku_id)
    # (outer, inner) -> users holding both, where outer includes inner.
    pairs: dict[tuple[str, str], list[str]] = {}
    for user, held in by_user.items():
        if len(held) < 2:
            continue
        for outer in held:
            for inner in held:
                if outer != inner and catalog.includes(entries[outer], entries[inner]):
                    pairs.setdefault((outer, inner), []).append(user)
    findings = []
    for (outer, inner), users in sorted(pairs.items()):
        subject = "+".join(sorted((outer, inner)))
        inner_sku = paid[inner]
        title = (
            f"{len(users)} user(s) hold {_label(ctx, inner_sku)} already included in "
            f"{_label(ctx, paid[outer])}"
        )
        evidence = _sku_evidence(ctx, inner_sku, len(users), users)
        evidence.update(included_in=outer, redundant=inner)
        findings.append(
            ctx.finding(
                spec, subject, title, evidence, monthly_cost=_cost(ctx, inner_sku, len(users))
            )
        )
    return findings
