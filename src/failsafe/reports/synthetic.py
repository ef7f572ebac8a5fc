"""Synthetic view models of any size, for tests, the benchmark and previews.

Deterministic for a given ``seed`` so figures in tests are exact.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from failsafe.detections.model import Family, Framework, Severity, fingerprint
from failsafe.reports.view import (
    FindingView,
    IdentityStats,
    LicenseLine,
    PermissionUsed,
    ReportView,
    RuleCoverage,
    SectionCoverage,
    ShadowItVendor,
    TenantScope,
    ThirdPartyApp,
    TrendPoint,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

# (rule id, family, severity, controls) for a representative spread of rules.
RULES: tuple[tuple[str, Family, Severity, dict[Framework, tuple[str, ...]]], ...] = (
    (
        "AP-001",
        Family.APP_PERMISSIONS,
        Severity.CRITICAL,
        {
            Framework.NIST_CSF_2: ("PR.AA-05", "GV.SC-07"),
            Framework.CIS_V8: ("2.5", "3.3"),
            Framework.SOC2: ("CC6.1", "CC6.3"),
            Framework.ISO_27001_2022: ("5.15", "8.2"),
        },
    ),
    (
        "ID-001",
        Family.IDENTITY,
        Severity.CRITICAL,
        {
            Framework.NIST_CSF_2: ("PR.AA-03",),
            Framework.CIS_V8: ("6.5",),
            Framework.SOC2: ("CC6.1", "CC6.6"),
            Framework.ISO_27001_2022: ("8.5", "5.17"),
        },
    ),
    (
        "SH-004",
        Family.SHADOW_IT,
        Severity.HIGH,
        {
            Framework.NIST_CSF_2: ("GV.SC-07", "DE.CM-03"),
            Framework.CIS_V8: ("15.3", "2.3"),
            Framework.SOC2: ("CC6.7", "CC9.2"),
            Framework.ISO_27001_2022: ("5.14", "5.23"),
        },
    ),
    (
        "SH-001",
        Family.SHADOW_IT,
        Severity.MEDIUM,
        {
            Framework.NIST_CSF_2: ("ID.AM-02", "ID.AM-04"),
            Framework.CIS_V8: ("2.1", "15.1"),
            Framework.SOC2: ("CC9.2",),
            Framework.ISO_27001_2022: ("5.9", "5.19"),
        },
    ),
    (
        "AP-005",
        Family.APP_PERMISSIONS,
        Severity.MEDIUM,
        {
            Framework.NIST_CSF_2: ("GV.SC-06",),
            Framework.CIS_V8: ("15.5",),
            Framework.SOC2: ("CC3.2",),
            Framework.ISO_27001_2022: ("5.21",),
        },
    ),
    (
        "ID-005",
        Family.IDENTITY,
        Severity.MEDIUM,
        {
            Framework.NIST_CSF_2: ("PR.AA-01",),
            Framework.CIS_V8: ("5.3",),
            Framework.SOC2: ("CC6.2",),
            Framework.ISO_27001_2022: ("5.16", "5.18"),
        },
    ),
    (
        "LW-001",
        Family.LICENSES,
        Severity.LOW,
        {
            Framework.NIST_CSF_2: ("ID.AM-08",),
            Framework.CIS_V8: ("2.1",),
            Framework.SOC2: ("CC6.1",),
            Framework.ISO_27001_2022: ("5.9", "5.32"),
        },
    ),
    (
        "LW-002",
        Family.LICENSES,
        Severity.MEDIUM,
        {
            Framework.NIST_CSF_2: ("PR.AA-01", "ID.AM-08"),
            Framework.CIS_V8: ("5.3", "6.2"),
            Framework.SOC2: ("CC6.2",),
            Framework.ISO_27001_2022: ("5.18",),
        },
    ),
)
# A rule that ran and found nothing, and one that could not run.
COVERAGE = (
    RuleCoverage("ID-009", "evaluated", {Framework.CIS_V8: ("6.3",), Framework.SOC2: ("CC6.6",)}),
    RuleCoverage("SH-002", "not_assessed", {Framework.CIS_V8: ("5.6",)}),
)


def finding(index: int, rng: random.Random, tenant_id: str) -> FindingView:
    """One plausible finding; license findings carry a monthly cost."""
    rule_id, family, severity, controls = RULES[index % len(RULES)]
    subject = f"subject-{index:05d}"
    cost = round(rng.uniform(5, 60), 2) if family is Family.LICENSES else None
    return FindingView(
        rule_id=rule_id,
        title=f"{rule_id} on {subject}: example finding number {index}",
        subject=subject,
        severity=severity,
        family=family,
        fingerprint=fingerprint(rule_id, tenant_id, subject),
        tenant="Contoso Ltd",
        description="Synthetic finding.",
        remediation="Review the subject and remove what is not needed.",
        controls=controls,
        evidence={
            "app_id": str(uuid.UUID(int=index)),
            "scopes": ["Mail.Read", "Files.Read.All", "offline_access"],
            "users": rng.randint(1, 40),
        },
        monthly_cost=cost,
    )


def view(findings: int = 100, *, seed: int = 7) -> ReportView:
    """A complete view model with ``findings`` findings and proportionate inventory tables."""
    rng = random.Random(seed)  # noqa: S311 - deterministic test data, not security
    tenant_id = "00000000-0000-0000-0000-00000000c0de"
    scan_id = uuid.UUID(int=seed)
    items = tuple(finding(i, rng, tenant_id) for i in range(findings))
    return ReportView(
        engagement_id=uuid.UUID(int=1000 + seed),
        scan_id=scan_id,
        client_name="Contoso Ltd",
        engagement_name="Contoso annual review",
        scan_date=NOW,
        generated_at=NOW + timedelta(minutes=5),
        score=62,
        tenants=(
            TenantScope(
                "microsoft",
                tenant_id,
                "Contoso Ltd",
                (
                    SectionCoverage("users", "collected", 250),
                    SectionCoverage("grants", "collected", 80),
                    SectionCoverage(
                        "email_signals",
                        "not_assessed",
                        0,
                        "Mail.ReadBasic.All not granted (optional)",
                    ),
                ),
            ),
        ),
        findings=items,
        trend=(
            TrendPoint(uuid.UUID(int=1), NOW - timedelta(days=60), 48),
            TrendPoint(uuid.UUID(int=2), NOW - timedelta(days=30), 55),
            TrendPoint(scan_id, NOW, 62),
        ),
        shadow_it=tuple(
            ShadowItVendor(
                f"Vendor {i}",
                f"vendor{i}.example",
                "productivity",
                "M",
                rng.randint(1, 30),
                ("email", "sign_in"),
                i % 4 == 0,
                NOW,
            )
            for i in range(max(3, findings // 20))
        ),
        apps=tuple(
            ThirdPartyApp(
                f"App {i}",
                str(uuid.UUID(int=5000 + i)),
                f"Publisher {i}",
                i % 2 == 0,
                "high",
                ("Mail.Read", "User.Read"),
                ("delegated",),
                rng.randint(1, 20),
                False,
                NOW,
            )
            for i in range(max(3, findings // 20))
        ),
        identity=IdentityStats(250, 240, 12, 6, 1, 14, 9),
        licenses=tuple(
            LicenseLine(f.subject, "unassigned seats", 1, f.monthly_cost or 0.0)
            for f in items
            if f.monthly_cost is not None
        ),
        permissions=(
            PermissionUsed("microsoft", "User.Read.All", "Users and their licences."),
            PermissionUsed("microsoft", "Application.Read.All", "Enterprise apps."),
        ),
        rules=COVERAGE,
    )
