"""Run every rule over one inventory: ``evaluate(inventory, ...) -> list[RuleOutcome]``."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Mapping

import structlog

from failsafe.catalog.loader import Catalogs, load_catalogs
from failsafe.detections.context import AllowList, Context, Thresholds
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Finding, RuleOutcome, RuleSpec
from failsafe.detections.rules import RuleFn, load_rules
from failsafe.enrichment.models import Classification
from failsafe.inventory.model import Inventory, Section

log = structlog.get_logger(__name__)


def rule_specs() -> list[RuleSpec]:
    """Every rule's metadata in id order; every spec has an implementation and vice versa."""
    specs = load_rule_specs()
    rules = load_rules()
    if set(specs) != set(rules):
        missing = sorted(set(specs) ^ set(rules))
        raise RuntimeError(f"rule metadata and implementations differ: {missing}")
    return list(specs.values())


def _missing(spec: RuleSpec, inventory: Inventory) -> tuple[Section, ...]:
    missing = [s for s in spec.requires if not inventory.assessed(s)]
    if spec.requires_any and not any(inventory.assessed(s) for s in spec.requires_any):
        missing.extend(spec.requires_any)
    return tuple(missing)


def evaluate(
    inventory: Inventory,
    *,
    thresholds: Thresholds | None = None,
    catalogs: Catalogs | None = None,
    allow_list: AllowList | Iterable[str] | None = None,
    only: Iterable[str] | None = None,
    vendor_labels: Mapping[str, Classification] | None = None,
) -> list[RuleOutcome]:
    """Run the rules (all, or ``only`` these ids) and return one outcome per rule, in id order.

    A rule whose provider differs is ``not_applicable``; one whose sections were not collected
    is ``not_assessed`` with the missing sections, never a silent pass. ``vendor_labels`` are
    the AI enrichment's labels of vendors the catalog lacks (see ``Context``).
    """
    if allow_list is None:
        allow = AllowList()
    elif isinstance(allow_list, AllowList):
        allow = allow_list
    else:
        allow = AllowList.of(allow_list)
    ctx = Context(
        inventory, catalogs or load_catalogs(), thresholds or Thresholds(), allow, vendor_labels
    )
    rules = load_rules()
    wanted = set(only) if only is not None else None
    outcomes: list[RuleOutcome] = []
    started = time.perf_counter()
    # The inventory is large and lives through the whole evaluation: frozen, the collector's
    # full passes (triggered by the rules' own allocations) skip it instead of walking every
    # identity and grant again, which made time per user grow with tenant size.
    gc.freeze()
    try:
        for spec in rule_specs():
            if wanted is not None and spec.id not in wanted:
                continue
            outcomes.append(_run(ctx, spec, rules[spec.id]))
    finally:
        gc.unfreeze()
    log.info(
        "detections.evaluated",
        tenant=inventory.tenant.tenant_id,
        rules=len(outcomes),
        findings=sum(len(o.findings) for o in outcomes),
        seconds=round(time.perf_counter() - started, 3),
    )
    return outcomes


def _run(ctx: Context, spec: RuleSpec, fn: RuleFn) -> RuleOutcome:
    inventory = ctx.inventory
    if inventory.tenant.provider not in spec.providers:
        return RuleOutcome(spec.id, "not_applicable")
    missing = _missing(spec, inventory)
    if missing:
        return RuleOutcome(spec.id, "not_assessed", missing=missing)
    findings = fn(ctx, spec)
    if findings is None:
        return RuleOutcome(spec.id, "not_assessed")
    return RuleOutcome(spec.id, "evaluated", tuple(sorted(findings, key=_order)))


def _order(finding: Finding) -> tuple[int, str]:
    return finding.severity.rank, finding.subject


def findings_of(outcomes: Iterable[RuleOutcome]) -> list[Finding]:
    """Every finding of ``outcomes`` in one list."""
    return [finding for outcome in outcomes for finding in outcome.findings]
