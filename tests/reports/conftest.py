"""A known view model with hand-picked figures, rendered once per test module."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from failsafe.detections.model import Family, Framework, Severity
from failsafe.reports.render import RenderedReport, render_pdf
from failsafe.reports.view import (
    Branding,
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

SCAN_DATE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SCAN_ID = uuid.UUID(int=77)


def known_finding(
    rule_id: str,
    family: Family,
    severity: Severity,
    subject: str,
    *,
    title: str | None = None,
    cost: float | None = None,
    controls: dict[Framework, tuple[str, ...]] | None = None,
    evidence: dict[str, object] | None = None,
) -> FindingView:
    return FindingView(
        rule_id=rule_id,
        title=title or f"{rule_id} {subject}",
        subject=subject,
        severity=severity,
        family=family,
        fingerprint=f"fp-{rule_id}-{subject}",
        tenant="Contoso Ltd",
        rule_title=f"Rule {rule_id}",
        description=f"Why {rule_id} matters.",
        remediation=f"Fix {rule_id}.",
        controls=controls or {},
        evidence=evidence or {"users": 3},
        monthly_cost=cost,
    )


def known_view(**changes: object) -> ReportView:
    """7 findings: 2 critical, 1 high, 2 medium, 2 low; licence waste 42.50 a month."""
    F, S, W = Family, Severity, Framework
    findings = (
        known_finding("AP-001", F.APP_PERMISSIONS, S.CRITICAL, "app-1",
                      title="Otter.ai holds Mail.Read for 12 users",
                      controls={W.NIST_CSF_2: ("PR.AA-05",), W.CIS_V8: ("2.5",),
                                W.SOC2: ("CC6.3",), W.ISO_27001_2022: ("8.2",)}),
        known_finding("ID-001", F.IDENTITY, S.CRITICAL, "admin@contoso.example",
                      title="Admin admin@contoso.example has no MFA",
                      controls={W.NIST_CSF_2: ("PR.AA-03",), W.CIS_V8: ("6.5",),
                                W.SOC2: ("CC6.6",), W.ISO_27001_2022: ("8.5",)}),
        known_finding("SH-004", F.SHADOW_IT, S.HIGH, "chatgpt",
                      controls={W.NIST_CSF_2: ("GV.SC-07",), W.CIS_V8: ("15.3",),
                                W.SOC2: ("CC9.2",), W.ISO_27001_2022: ("5.23",)}),
        known_finding("SH-001", F.SHADOW_IT, S.MEDIUM, "notion",
                      controls={W.NIST_CSF_2: ("ID.AM-02",), W.CIS_V8: ("2.1",)}),
        known_finding("ID-005", F.IDENTITY, S.MEDIUM, "tenant",
                      controls={W.CIS_V8: ("5.3",)}),
        known_finding("LW-001", F.LICENSES, S.LOW, "sku-e3", cost=30.0,
                      controls={W.ISO_27001_2022: ("5.9",)}),
        known_finding("LW-001", F.LICENSES, S.LOW, "sku-basic", cost=12.5,
                      controls={W.ISO_27001_2022: ("5.9",)}),
    )  # fmt: skip
    values: dict[str, object] = dict(
        engagement_id=uuid.UUID(int=5),
        scan_id=SCAN_ID,
        client_name="Contoso Ltd",
        engagement_name="Contoso annual review",
        scan_date=SCAN_DATE,
        generated_at=SCAN_DATE + timedelta(hours=1),
        score=64,
        tenants=(
            TenantScope(
                "microsoft",
                "tenant-guid-1",
                "Contoso Ltd",
                (
                    SectionCoverage("users", "collected", 120),
                    SectionCoverage("mfa", "collected", 120),
                    SectionCoverage(
                        "email_signals", "not_assessed", 0, "Mail.ReadBasic.All not granted"
                    ),
                ),
            ),
        ),
        findings=findings,
        branding=Branding("Northwind MSP"),
        trend=(
            TrendPoint(uuid.UUID(int=1), SCAN_DATE - timedelta(days=30), 51),
            TrendPoint(SCAN_ID, SCAN_DATE, 64),
        ),
        shadow_it=(
            ShadowItVendor("ChatGPT", "openai.com", "gen-AI", "H", 9, ("email",), False),
            ShadowItVendor("Notion", "notion.so", "productivity", "M", 4, ("grant",), True),
        ),
        apps=(
            ThirdPartyApp(
                "Otter.ai",
                "app-1",
                "Otter",
                False,
                "critical",
                ("Mail.Read", "Calendars.Read"),
                ("delegated",),
                12,
                False,
            ),
        ),
        identity=IdentityStats(120, 110, 7, 5, 1, 14, 9),
        licenses=(
            LicenseLine("ENTERPRISEPACK", "2 unassigned seats", 2, 30.0),
            LicenseLine("O365_BUSINESS_ESSENTIALS", "2 unassigned seats", 2, 12.5),
        ),
        permissions=(PermissionUsed("microsoft", "User.Read.All", "Users."),),
        rules=(RuleCoverage("ID-009", "evaluated", {W.CIS_V8: ("6.3",)}),),
    )
    values.update(changes)
    return ReportView(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def known_report() -> RenderedReport:
    return render_pdf(known_view())
