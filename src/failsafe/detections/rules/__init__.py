"""Rule implementations, one module per family, registered by id.

A rule is ``fn(ctx, spec) -> list[Finding] | None``: the findings it produced, or ``None``
when the data it needs turned out to be missing at run time (reported as not assessed).
"""

from __future__ import annotations

from collections.abc import Callable

from failsafe.detections.context import Context
from failsafe.detections.model import Finding, RuleSpec

RuleFn = Callable[[Context, RuleSpec], list[Finding] | None]
RULES: dict[str, RuleFn] = {}


def rule(rule_id: str) -> Callable[[RuleFn], RuleFn]:
    """Register ``fn`` as the implementation of ``rule_id``."""

    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"{rule_id} registered twice")
        RULES[rule_id] = fn
        return fn

    return register


def load_rules() -> dict[str, RuleFn]:
    """Import every family module so its rules register, and return the registry."""
    from failsafe.detections.rules import (  # noqa: F401
        app_permissions,
        identity,
        licenses,
        shadow_it,
    )

    return RULES
