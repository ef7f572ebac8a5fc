"""Rule metadata: one YAML file per family beside the rules, validated when first loaded."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]
from pydantic import BaseModel, ConfigDict, Field

from failsafe.catalog.loader import load_catalogs
from failsafe.detections.model import Family, Framework, RuleSpec, Severity
from failsafe.inventory.model import Provider, Section

FAMILY_FILES: dict[Family, str] = {
    Family.SHADOW_IT: "shadow_it.yaml",
    Family.APP_PERMISSIONS: "app_permissions.yaml",
    Family.IDENTITY: "identity.yaml",
    Family.LICENSES: "licenses.yaml",
}
_PREFIX = {
    Family.SHADOW_IT: "SH-",
    Family.APP_PERMISSIONS: "AP-",
    Family.IDENTITY: "ID-",
    Family.LICENSES: "LW-",
}


class _RuleRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^(SH|AP|ID|LW)-\d{3}$")
    severity: Severity
    subject_kind: str = Field(pattern=r"^(vendor|app|user|sku|sku_pair|tenant)$")
    providers: tuple[Provider, ...] = ("microsoft", "google")
    requires: tuple[Section, ...] = ()
    requires_any: tuple[Section, ...] = ()
    title: str = Field(min_length=5, max_length=120)
    description: str = Field(min_length=20)
    remediation: dict[Provider, str]
    controls: dict[Framework, tuple[str, ...]]


def _parse(family: Family) -> list[RuleSpec]:
    text = (
        resources.files("failsafe.detections.rules.data")
        .joinpath(FAMILY_FILES[family])
        .read_text(encoding="utf-8")
    )
    document: dict[str, Any] = yaml.safe_load(text)
    controls = load_catalogs().controls
    specs: list[RuleSpec] = []
    for raw in document["rules"]:
        record = _RuleRecord.model_validate(raw)
        if not record.id.startswith(_PREFIX[family]):
            raise ValueError(f"{record.id} is in the {family} file")
        if set(record.remediation) != {"microsoft", "google"}:
            raise ValueError(f"{record.id}: remediation needs microsoft and google")
        if set(record.controls) != set(Framework):
            raise ValueError(f"{record.id}: controls need all four frameworks")
        for framework, ids in record.controls.items():
            for control_id in ids:
                if (framework, control_id) not in controls:
                    raise ValueError(f"{record.id}: unknown control {framework} {control_id}")
        if not record.requires and not record.requires_any:
            raise ValueError(f"{record.id}: names no inventory section")
        specs.append(
            RuleSpec(
                id=record.id,
                family=family,
                severity=record.severity,
                title=record.title,
                description=" ".join(record.description.split()),
                remediation={k: " ".join(v.split()) for k, v in record.remediation.items()},
                controls=record.controls,
                providers=record.providers,
                subject_kind=record.subject_kind,  # type: ignore[arg-type]
                requires=record.requires,
                requires_any=record.requires_any,
            )
        )
    return specs


@lru_cache(maxsize=1)
def load_rule_specs() -> dict[str, RuleSpec]:
    """Every rule's metadata keyed by id, in id order; raises on the first invalid entry."""
    specs = [spec for family in Family for spec in _parse(family)]
    by_id = {spec.id: spec for spec in sorted(specs, key=lambda s: s.id)}
    if len(by_id) != len(specs):
        raise ValueError("duplicate rule id in the rule metadata")
    return by_id
