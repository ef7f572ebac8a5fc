"""Every rule of docs/rules.md: fires on a hand-built risk, stays quiet on a healthy tenant,
and reports not assessed when a section it needs is missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from failsafe.detections.engine import evaluate, rule_specs
from failsafe.inventory.model import (
    App,
    AppUsage,
    ConditionalAccessPolicy,
    EmailSignal,
    Grant,
    Inventory,
    LicenseAssignment,
    LicenseSku,
    RoleAssignment,
)
from tests.detections.factory import (
    DOMAIN,
    E3,
    E5,
    ago,
    global_admin,
    healthy,
    run,
    subjects,
    user,
    without,
)

Mutator = Callable[[Inventory], None]
VENDOR_APP = App("app-otter", "Otter.ai", "Otter.ai, Inc.", True, False, True, ("otter.ai",))
CASES: dict[str, tuple[str, Mutator, str]] = {}


def case(rule_id: str, subject: str, provider: str = "microsoft") -> Callable[[Mutator], Mutator]:
    def register(fn: Mutator) -> Mutator:
        CASES[rule_id] = (provider, fn, subject)
        return fn

    return register


def mail(inv: Inventory, domain: str, kind: str, *users: str) -> None:
    for name in users or ("cy",):
        inv.email_signals.append(
            EmailSignal(domain, f"{name}@{DOMAIN}", kind, ago(5), ago(1), 2)  # type: ignore[arg-type]
        )


def app(inv: Inventory, app_id: str, *grants: Grant, **fields: object) -> None:
    base = App(app_id, f"App {app_id}", "Vendor Ltd", True, False, False)
    inv.apps.append(replace(base, **fields))  # type: ignore[arg-type]
    inv.grants.extend(grants)


def delegated(app_id: str, *scopes: str, who: str | None = "cy", **kw: object) -> Grant:
    user_email = f"{who}@{DOMAIN}" if who else None
    return Grant(app_id, "delegated", scopes, False, user_email, ago(10), **kw)  # type: ignore[arg-type]


@case("SH-001", "otter-ai")
def _sh001(inv: Inventory) -> None:
    inv.apps.append(VENDOR_APP)
    inv.grants.append(delegated("app-otter", "User.Read"))


@case("SH-002", "notion")
def _sh002(inv: Inventory) -> None:
    mail(inv, "notion.so", "signup")


@case("SH-003", "tldv.io")
def _sh003(inv: Inventory) -> None:
    mail(inv, "tldv.io", "billing")


@case("SH-004", "openai")
def _sh004(inv: Inventory) -> None:
    mail(inv, "openai.com", "notification")


@case("SH-005", "wetransfer")
def _sh005(inv: Inventory) -> None:
    mail(inv, "wetransfer.com", "notification")


@case("SH-006", "otter-ai")
def _sh006(inv: Inventory) -> None:
    _sh001(inv)


@case("SH-007", "tldv.io")
def _sh007(inv: Inventory) -> None:
    mail(inv, "tldv.io", "signup", "cy", "dee")


@case("SH-008", "tenant")
def _sh008(inv: Inventory) -> None:
    for domain in ("slack.com", "zoom.us", "miro.com", "figma.com", "canva.com", "notion.so",
                   "dropbox.com", "openai.com", "otter.ai", "calendly.com"):  # fmt: skip
        mail(inv, domain, "notification")


@case("AP-001", "mailer")
def _ap001(inv: Inventory) -> None:
    app(inv, "mailer", Grant("mailer", "application", ("Mail.ReadWrite",), True, None, ago(5)))


@case("AP-002", "files")
def _ap002(inv: Inventory) -> None:
    app(inv, "files", delegated("files", "Files.ReadWrite.All"))


@case("AP-003", "crm")
def _ap003(inv: Inventory) -> None:
    app(inv, "crm", Grant("crm", "delegated", ("Mail.ReadWrite",), True, None, ago(5)))


@case("AP-004", "mailer")
def _ap004(inv: Inventory) -> None:
    _ap001(inv)


@case("AP-005", "shady")
def _ap005(inv: Inventory) -> None:
    app(inv, "shady", delegated("shady", "User.Read"), publisher_verified=False)


@case("AP-006", "old")
def _ap006(inv: Inventory) -> None:
    app(inv, "old", replace(delegated("old", "User.Read"), granted_at=ago(200)))
    inv.app_usage.append(AppUsage("old", "App old", f"cy@{DOMAIN}", ago(300), ago(120), 3))


@case("AP-007", "tenant")
def _ap007(inv: Inventory) -> None:
    inv.policies = replace(inv.policies, users_can_consent=True)


@case("AP-008", "dwd", provider="google")
def _ap008(inv: Inventory) -> None:
    scope = "https://www.googleapis.com/auth/calendar.readonly"
    app(inv, "dwd", Grant("dwd", "domain_wide", (scope,), True, None, ago(5)))


@case("AP-009", "sync")
def _ap009(inv: Inventory) -> None:
    names = [f"u{i}" for i in range(10)]
    inv.identities.extend(user(n) for n in names)
    app(inv, "sync", *(delegated("sync", "offline_access", "Files.Read.All", who=n) for n in names))


@case("AP-010", "mystery")
def _ap010(inv: Inventory) -> None:
    app(inv, "mystery", delegated("mystery", "User.Read"), multi_tenant=True,
        display_name="Zqx Widget", publisher="Zqx Widget Co")  # fmt: skip


def _set_user(inv: Inventory, name: str, **fields: object) -> None:
    inv.identities = [
        replace(i, **fields) if i.email == f"{name}@{DOMAIN}" else i  # type: ignore[arg-type]
        for i in inv.identities
    ]


@case("ID-001", f"ada@{DOMAIN}")
def _id001(inv: Inventory) -> None:
    _set_user(inv, "ada", mfa_registered=False, mfa_methods=())


@case("ID-002", "tenant")
def _id002(inv: Inventory) -> None:
    _set_user(inv, "cy", mfa_registered=False)


@case("ID-003", "tenant")
def _id003(inv: Inventory) -> None:
    for name in ("cy", "dee", "eve"):
        inv.role_assignments.append(global_admin(name))


@case("ID-004", "tenant")
def _id004(inv: Inventory) -> None:
    inv.role_assignments = [global_admin("ada")]


@case("ID-005", "tenant")
def _id005(inv: Inventory) -> None:
    _set_user(inv, "cy", last_sign_in_at=ago(120))


@case("ID-006", f"zed@{DOMAIN}")
def _id006(inv: Inventory) -> None:
    inv.identities.append(user("zed", enabled=False, admin=True))
    inv.role_assignments.append(RoleAssignment(f"zed@{DOMAIN}", "r", "User Admin", False, True))


@case("ID-007", f"gus@{DOMAIN}")
def _id007(inv: Inventory) -> None:
    inv.identities.append(user("gus", kind="guest", admin=True, methods=("fido2",)))
    inv.role_assignments.append(RoleAssignment(f"gus@{DOMAIN}", "r", "Reader", False, False))


@case("ID-008", "tenant")
def _id008(inv: Inventory) -> None:
    inv.app_usage.append(AppUsage(None, "IMAP", f"cy@{DOMAIN}", ago(3), ago(1), 4, True))


@case("ID-009", "tenant")
def _id009(inv: Inventory) -> None:
    policies = inv.policies.conditional_access or ()
    inv.policies = replace(
        inv.policies, conditional_access=tuple(replace(p, state="report_only") for p in policies)
    )


@case("ID-010", "tenant", provider="google")
def _id010(inv: Inventory) -> None:
    inv.policies = replace(inv.policies, two_step_enforced=False)


@case("ID-011", f"bob@{DOMAIN}")
def _id011(inv: Inventory) -> None:
    _set_user(inv, "bob", mfa_methods=("microsoftAuthenticatorPush",))


@case("ID-012", f"bob@{DOMAIN}")
def _id012(inv: Inventory) -> None:
    _set_user(inv, "bob", last_sign_in_at=ago(50))


@case("ID-013", "tenant")
def _id013(inv: Inventory) -> None:
    inv.policies = replace(inv.policies, conditional_access=(
        ConditionalAccessPolicy("ca1", "MFA all", "enabled", True, False, True),
    ))  # fmt: skip


@case("ID-014", "tenant")
def _id014(inv: Inventory) -> None:
    inv.identities.append(user("ext", kind="guest", last=None, created=200))


@case("ID-015", f"ada@{DOMAIN}")
def _id015(inv: Inventory) -> None:
    inv.license_assignments.append(LicenseAssignment(f"ada@{DOMAIN}", E3))


@case("LW-001", E3)
def _lw001(inv: Inventory) -> None:
    inv.license_skus[0] = LicenseSku(E3, "SPE_E3", 5, 3)


@case("LW-002", E3)
def _lw002(inv: Inventory) -> None:
    _set_user(inv, "cy", enabled=False)


@case("LW-003", E3)
def _lw003(inv: Inventory) -> None:
    _set_user(inv, "cy", last_sign_in_at=ago(100))


@case("LW-004", "+".join(sorted((E3, E5))))
def _lw004(inv: Inventory) -> None:
    inv.license_skus.append(LicenseSku(E5, "SPE_E5", 1, 1))
    inv.license_assignments.append(LicenseAssignment(f"cy@{DOMAIN}", E5))


@case("LW-005", E3)
def _lw005(inv: Inventory) -> None:
    _set_user(inv, "cy", last_sign_in_at=None, created_at=ago(40))


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {spec.id for spec in rule_specs()}
    assert len(CASES) == 38


@pytest.mark.parametrize("provider", ["microsoft", "google"])
def test_a_healthy_tenant_triggers_nothing(provider: str) -> None:
    outcomes = evaluate(healthy(provider))
    assert [f for o in outcomes for f in o.findings] == []
    assert {o.status for o in outcomes} <= {"evaluated", "not_applicable"}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_its_risk(rule_id: str) -> None:
    provider, mutate, subject = CASES[rule_id]
    inventory = healthy(provider)
    mutate(inventory)
    outcome = run(inventory, rule_id)
    assert outcome.status == "evaluated"
    assert subject in subjects(outcome)
    finding = next(f for f in outcome.findings if f.subject == subject)
    assert finding.evidence and finding.title and len(finding.fingerprint) == 64


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_is_quiet_without_its_risk(rule_id: str) -> None:
    provider, _, _ = CASES[rule_id]
    assert run(healthy(provider), rule_id).findings == ()


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_is_not_assessed_without_its_section(rule_id: str) -> None:
    provider, mutate, _ = CASES[rule_id]
    spec = next(s for s in rule_specs() if s.id == rule_id)
    inventory = healthy(provider)
    mutate(inventory)
    missing = spec.requires or spec.requires_any
    outcome = run(without(inventory, *missing), rule_id)
    assert outcome.status == "not_assessed"
    assert outcome.findings == ()
    assert set(outcome.missing) >= set(missing)
