"""What a rule is and what it produces.

Rules are pure functions of an :class:`~failsafe.inventory.model.Inventory`; their metadata
(severity, title, remediation, control ids in four frameworks) is data kept beside the rule.
A finding's ``subject`` names what it is about (see docs/rules.md for each rule's subject
kind); ``(rule_id, subject)`` is its identity across scans and its fingerprint derives from it.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from failsafe.inventory.model import Provider, Section


class Family(enum.StrEnum):
    SHADOW_IT = "shadow_it"
    APP_PERMISSIONS = "app_permissions"
    IDENTITY = "identity"
    LICENSES = "licenses"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Framework(enum.StrEnum):
    NIST_CSF_2 = "nist_csf_2"
    CIS_V8 = "cis_v8"
    SOC2 = "soc2"
    ISO_27001_2022 = "iso_27001_2022"


SubjectKind = Literal["vendor", "app", "user", "sku", "sku_pair", "tenant"]


@dataclass(frozen=True)
class RuleSpec:
    """A rule's metadata, loaded from the data file beside the rules."""

    id: str  # e.g. "AP-001"
    family: Family
    severity: Severity
    title: str
    description: str
    remediation: dict[Provider, str]
    controls: dict[Framework, tuple[str, ...]]
    providers: tuple[Provider, ...]
    subject_kind: SubjectKind
    requires: tuple[Section, ...]
    # At least one of these must be collected (rules that draw on several kinds of evidence).
    requires_any: tuple[Section, ...] = ()


def fingerprint(rule_id: str, tenant_id: str, subject: str) -> str:
    """Stable identity of a finding across scans of the same tenant."""
    return hashlib.sha256(f"{rule_id}\x1f{tenant_id}\x1f{subject}".encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One rule firing on one subject."""

    rule_id: str
    subject: str
    title: str  # specific, e.g. "Otter.ai holds Mail.Read for 12 users"
    severity: Severity
    family: Family
    fingerprint: str
    evidence: dict[str, Any] = field(default_factory=dict)  # ids, names, scopes, counts only
    monthly_cost: float | None = None  # license rules: money wasted per month, list price


@dataclass(frozen=True)
class RuleOutcome:
    """What running one rule gave: findings, or not assessed with the missing sections."""

    rule_id: str
    status: Literal["evaluated", "not_assessed", "not_applicable"]
    findings: tuple[Finding, ...] = ()
    missing: tuple[Section, ...] = ()
