"""Ground truth: which (rule_id, subject) findings a correct scan of a sandbox tenant yields.

Assumptions about docs/rules.md the detection rules must share (written down so both sides
align):

- Vendor subjects are the slugs of :mod:`failsafe.sandbox.catalog` (``openai``, ``otter-ai``,
  ``wetransfer``...); vendors outside the catalog are their registrable domain (``tldv.io``).
- Scope tiers are the base tiers of risk-catalog §1.4 / §1.5 without the §1.1 modifiers:
  Mail.ReadWrite app-only critical, Files.ReadWrite.All and Mail.ReadWrite delegated high,
  Calendars.Read (not in the table) medium, openid/profile/email/offline_access/User.Read low,
  Sites.Selected app-only low, ``https://mail.google.com/`` critical.
- SKUs: SPE_E3 and SPE_E5 are paid, FLOW_FREE is free; SPE_E5 includes SPE_E3 (LW-004).
- SH-002/SH-003 apply to any unsanctioned vendor, catalog or not (so ``tldv.io``, which sends
  billing mail, fires SH-003 as well as SH-007); SH-001 and the category rules need the catalog.
- A vendor whose every grant is AllPrincipals admin consent (Salesforce) is sanctioned.
- Google apps have ``publisher_verified`` None and ``multi_tenant`` None: AP-005 and AP-010
  never fire for them.
- For the Microsoft tenant the planted apps are third-party (in-house registrations are
  single-tenant, not first-party, with a verified publisher so AP-005 stays quiet).
- Sender local parts: ``billing``/``invoices`` mean billing, ``verify``/``welcome`` signup,
  ``no-reply``/``noreply``/``notifications`` notification.

- AP-008 (Google domain-wide delegation) is planted as a token-audit ``authorize`` event whose
  actor carries ``applicationInfo`` with ``impersonation`` true: the Reports API's documented
  mark of an app acting as a user. ``client_type`` keeps a documented value (Google has none for
  service accounts), so the connector maps impersonation, not a sandbox-only marker, to a
  ``domain_wide`` grant.
- Google's ``isDelegatedAdmin`` marks holders of lesser admin roles, not super admins, so the
  Google tenant's delegated admins neither count toward ID-003/ID-004 nor fire ID-015.

# Limitation: Google offers no read-only API that lists domain-wide delegation clients; the
# token log shows one only once it has impersonated a user within the 180-day audit window, and
# that Google logs such use in the token log with ``applicationInfo`` is not verified [U].
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from failsafe.sandbox import catalog
from failsafe.sandbox.apps import planted_apps
from failsafe.sandbox.google_model import DWD_CLIENT, chatgpt_client
from failsafe.sandbox.people import Provider, email, global_admin_count, person
from failsafe.sandbox.spec import TenantSpec, company


@dataclass(frozen=True, slots=True, order=True)
class Planted:
    """One expected finding."""

    rule_id: str
    subject: str


@dataclass(frozen=True)
class GroundTruth:
    """Expected findings per provider tenant of one spec."""

    microsoft_tenant_id: str
    google_customer_id: str
    microsoft: tuple[Planted, ...]
    google: tuple[Planted, ...]

    def rule_ids(self) -> frozenset[str]:
        """Every rule id with at least one expected finding."""
        return frozenset(p.rule_id for p in (*self.microsoft, *self.google))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "microsoft": {
                "tenant_id": self.microsoft_tenant_id,
                "findings": [asdict(p) for p in self.microsoft],
            },
            "google": {
                "tenant_id": self.google_customer_id,
                "findings": [asdict(p) for p in self.google],
            },
        }

    def to_json(self) -> str:
        """The ground truth as JSON text."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


def ground_truth(spec: TenantSpec) -> GroundTruth:
    """The findings the spec's tenants must produce (none for a clean spec of 2+ users)."""
    org = company(spec)
    return GroundTruth(
        org.tenant_id,
        org.customer_id,
        tuple(sorted(set(_microsoft(spec)))),
        tuple(sorted(set(_google(spec)))),
    )


def _user(spec: TenantSpec, provider: Provider, index: int) -> str:
    return email(spec, provider, person(spec, provider, index))


def _shared(spec: TenantSpec) -> list[Planted]:
    found = [Planted("SH-001", slug) for slug in catalog.VENDORS if slug != "salesforce"]
    found += [
        Planted("SH-002", "notion"),
        Planted("SH-003", "slack"),
        Planted("SH-003", "tldv.io"),
        Planted("SH-004", "openai"),
        Planted("SH-005", "dropbox"),
        Planted("SH-005", "wetransfer"),
        Planted("SH-006", "otter-ai"),
        Planted("SH-007", "tldv.io"),
        Planted("SH-008", "tenant"),
        Planted("ID-002", "tenant"),
        Planted("ID-005", "tenant"),
    ]
    return found


def _microsoft(spec: TenantSpec) -> list[Planted]:
    found: list[Planted] = []
    if global_admin_count(spec, "microsoft") < 2:
        found.append(Planted("ID-004", "tenant"))  # a one-user tenant cannot have two
    if not spec.risky:
        return found
    found += _shared(spec)
    found.append(Planted("SH-006", "fireflies-ai"))
    for app in planted_apps(spec):
        found += [Planted(rule, app.app_id(spec)) for rule in app.rules]

    def user(index: int) -> str:
        """GET one user by id or UPN."""
        return _user(spec, "microsoft", index)

    e3, e5 = catalog.SKU_SPE_E3.sku_id, catalog.SKU_SPE_E5.sku_id
    found += [
        Planted("AP-007", "tenant"),
        Planted("ID-001", user(5)),
        Planted("ID-003", "tenant"),
        Planted("ID-006", user(8)),
        Planted("ID-007", user(9)),
        Planted("ID-008", "tenant"),
        Planted("ID-009", "tenant"),
        Planted("ID-011", user(6)),
        Planted("ID-012", user(7)),
        Planted("ID-013", "tenant"),
        Planted("ID-014", "tenant"),
        Planted("ID-015", user(4)),
        Planted("LW-001", e5),
        Planted("LW-002", e3),
        Planted("LW-003", e3),
        Planted("LW-004", "+".join(sorted((e3, e5)))),
        Planted("LW-005", e3),
    ]
    return found


def _google(spec: TenantSpec) -> list[Planted]:
    found: list[Planted] = []
    if global_admin_count(spec, "google") < 2:
        found.append(Planted("ID-004", "tenant"))
    if not spec.risky:
        return found
    found += [p for p in _shared(spec) if p.subject != "fireflies-ai"]
    sku = f"{catalog.GOOGLE_PRODUCT}/{catalog.GOOGLE_SKU[0]}"
    dwd = DWD_CLIENT[0]
    found += [
        Planted("AP-001", dwd),
        Planted("AP-008", dwd),
        Planted("ID-001", _user(spec, "google", 1)),
        Planted("ID-010", "tenant"),
        Planted("LW-002", sku),
        Planted("LW-003", sku),
    ]
    assert chatgpt_client(spec)
    return found
