"""Third-party apps of the Microsoft sandbox tenant, their grants and their sign-ins.

Only the risky profile has third-party apps; the clean one holds Microsoft's first-party apps
and FailSafe's own registration. Each planted app is built so exactly the rules listed beside
it fire (with §1.4 base scope tiers, no §1.1 modifiers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from failsafe.sandbox import catalog
from failsafe.sandbox.spec import TenantSpec, company, guid

MULTI = "AzureADMultipleOrgs"
SINGLE = "AzureADMyOrg"


@dataclass(frozen=True, slots=True)
class PlantedApp:
    key: str
    name: str
    publisher: str
    verified: bool
    in_house: bool  # registered in the customer's own tenant (single-tenant, not first-party)
    homepage: str | None
    delegated: tuple[str, ...] = ()  # per-user (Principal) consent scopes
    consenters: tuple[int, ...] = ()  # person indices who consented
    admin_consent: tuple[str, ...] = ()  # AllPrincipals scopes
    app_roles: tuple[str, ...] = ()  # application permissions on Microsoft Graph
    app_roles_age_days: int = 30
    users: tuple[int, ...] = ()  # who signs in to it (last 30 days)
    rules: tuple[str, ...] = ()  # rules it is meant to fire, subject = its appId

    def app_id(self, spec: TenantSpec) -> str:
        """The app's appId (stable per seed)."""
        return guid(spec.seed, "app", self.key)

    def sp_id(self, spec: TenantSpec) -> str:
        """The app's service principal object id."""
        return guid(spec.seed, "sp", self.key)

    def owner(self, spec: TenantSpec) -> str:
        """appOwnerOrganizationId: the customer's tenant for in-house apps."""
        return company(spec).tenant_id if self.in_house else guid("vendor-tenant", self.key)

    def audience(self) -> str:
        """signInAudience."""
        return SINGLE if self.in_house else MULTI


LOW = ("openid", "profile", "email", "offline_access", "User.Read")
RISKY_APPS: tuple[PlantedApp, ...] = (
    PlantedApp(
        "chatgpt",
        "ChatGPT",
        "OpenAI",
        True,
        False,
        "https://chatgpt.com",
        delegated=LOW,
        consenters=(29, 30, 31),
        users=(29, 30, 31),
    ),
    PlantedApp(
        "otter",
        "Otter.ai",
        "Otter.ai, Inc.",
        True,
        False,
        "https://otter.ai",
        delegated=(*LOW, "Calendars.Read"),
        consenters=(32, 33),
        users=(32, 33),
    ),
    PlantedApp(
        "fireflies",
        "Fireflies.ai",
        "Fireflies.ai",
        False,
        False,
        "https://fireflies.ai",
        delegated=("openid", "profile", "email", "User.Read"),
        consenters=(34,),
        users=(34,),
        rules=("AP-005",),
    ),
    PlantedApp(
        "dropbox",
        "Dropbox",
        "Dropbox, Inc.",
        True,
        False,
        "https://www.dropbox.com",
        delegated=("offline_access", "User.Read", "Files.ReadWrite.All"),
        consenters=tuple(range(17, 29)),
        users=(17, 18, 19),
        rules=("AP-002", "AP-009"),
    ),
    PlantedApp(
        "salesforce",
        "Salesforce Inbox",
        "Salesforce.com, Inc.",
        True,
        False,
        "https://www.salesforce.com",
        admin_consent=("openid", "profile", "offline_access", "User.Read", "Mail.ReadWrite"),
        users=(35, 36),
        rules=("AP-002", "AP-003"),
    ),
    PlantedApp(
        "archiver",
        "Mail Archiver",
        "",
        True,
        True,
        None,
        app_roles=("Mail.ReadWrite",),
        rules=("AP-001", "AP-004"),
    ),
    PlantedApp(
        "hrsync",
        "HR Sites Sync",
        "",
        True,
        True,
        None,
        app_roles=("Sites.Selected",),
        app_roles_age_days=200,
        rules=("AP-006",),
    ),
    PlantedApp(
        "pdftool",
        "PDF Toolbox Online",
        "PDF Toolbox Ltd",
        True,
        False,
        "https://www.pdf-toolbox.io",
        delegated=("openid", "profile", "User.Read"),
        consenters=(37,),
        users=(37,),
        rules=("AP-010",),
    ),
)


def planted_apps(spec: TenantSpec) -> tuple[PlantedApp, ...]:
    """The tenant's third-party apps (none in the clean profile)."""
    return RISKY_APPS if spec.risky else ()


@dataclass(frozen=True, slots=True)
class SignIn:
    """One interactive sign-in event."""

    index: int  # person index
    app_id: str
    app_name: str
    at: datetime
    client_app: str
    error_code: int = 0


@lru_cache(maxsize=256)
def planted_sign_ins(spec: TenantSpec) -> tuple[SignIn, ...]:
    """Sign-ins to planted apps and the legacy-protocol sign-in, newest first."""
    events: list[SignIn] = []
    step = timedelta(minutes=17)
    at = spec.anchor - timedelta(hours=1)
    for app in planted_apps(spec):
        for index in app.users:
            events.append(SignIn(index, app.app_id(spec), app.name, at, "Browser"))
            at -= step
    if spec.risky:
        exchange = catalog.FIRST_PARTY_APPS[1]
        events.append(SignIn(16, exchange[0], exchange[1], at, "IMAP4"))  # ID-008
    return tuple(events)
