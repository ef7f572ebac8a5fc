"""Graph app sections: service principals, delegated grants, application permissions."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from failsafe.catalog.domains import registrable_domain
from failsafe.connectors.graph.client import GraphClient
from failsafe.connectors.graph.pump import BatchJob, BatchPump
from failsafe.connectors.timeparse import parse_time
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.model import App, Grant

# Tenants that own Microsoft's first-party app registrations.
MICROSOFT_OWNER_TENANTS = frozenset(
    {"f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47"}
)
SP_FIELDS = (
    "id,appId,displayName,appOwnerOrganizationId,publisherName,verifiedPublisher,"
    "servicePrincipalType,signInAudience,homepage,replyUrls,appRoles"
)
MULTI_TENANT_AUDIENCES = frozenset({"azureadmultipleorgs", "azureadandpersonalmicrosoftaccount"})


class AppIndex:
    """Compact lookups the grant sections need: SP object id -> appId, app-role id -> value."""

    def __init__(self) -> None:
        self.app_id_of: dict[str, str] = {}
        self.third_party: list[str] = []  # SP object ids of third-party apps
        self.role_value: dict[tuple[str, str], str] = {}  # (resource SP id, appRoleId) -> value


async def service_principals(
    graph: GraphClient, builder: InventoryBuilder, index: AppIndex, own_app_id: str
) -> int:
    """Every enterprise app with its publisher and verification."""
    params = {"$select": SP_FIELDS, "$top": "999"}
    async for page in graph.pages("/servicePrincipals", params):
        for raw in page:
            sp_id, app_id = str(raw["id"]), str(raw.get("appId") or raw["id"])
            index.app_id_of[sp_id] = app_id
            for role in raw.get("appRoles") or []:
                if isinstance(role, dict) and role.get("id") and role.get("value"):
                    index.role_value[(sp_id, str(role["id"]))] = str(role["value"])
            if str(raw.get("servicePrincipalType") or "") == "ManagedIdentity":
                continue
            if app_id == own_app_id:
                continue  # FailSafe's own read-only registration is not a finding
            app = _app(raw, app_id, builder.tenant.tenant_id)
            builder.add_app(app)
            if not app.first_party:
                index.third_party.append(sp_id)
    return len(builder.apps)


def _app(raw: dict[str, Any], app_id: str, tenant_id: str) -> App:
    owner = str(raw.get("appOwnerOrganizationId") or "").lower()
    first_party = owner in MICROSOFT_OWNER_TENANTS
    verified = raw.get("verifiedPublisher") or {}
    verified_id = verified.get("verifiedPublisherId") if isinstance(verified, dict) else None
    audience = str(raw.get("signInAudience") or "").lower()
    multi_tenant = audience in MULTI_TENANT_AUDIENCES or bool(owner and owner != tenant_id)
    urls = [raw.get("homepage"), *(raw.get("replyUrls") or [])]
    return App(
        app_id=app_id,
        display_name=str(raw.get("displayName") or app_id),
        publisher=(verified.get("displayName") if isinstance(verified, dict) else None)
        or raw.get("publisherName"),
        publisher_verified=True if first_party else bool(verified_id),
        first_party=first_party,
        multi_tenant=multi_tenant,
        domains=_domains(urls),
    )


def _domains(urls: list[Any]) -> tuple[str, ...]:
    found = set()
    for url in urls:
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            host = urlsplit(url).hostname
            if host and "." in host and host != "localhost":
                found.add(registrable_domain(host))
    return tuple(sorted(found))


async def delegated_grants(graph: GraphClient, builder: InventoryBuilder, index: AppIndex) -> int:
    """OAuth2 permission grants: admin consent for all users or one user's consent."""
    count = 0
    params = {"$select": "clientId,consentType,principalId,scope", "$top": "999"}
    async for page in graph.pages("/oauth2PermissionGrants", params):
        for raw in page:
            app_id = index.app_id_of.get(str(raw.get("clientId")))
            if app_id is None or app_id not in builder.apps:
                continue  # FailSafe itself, a managed identity, or an SP not listed
            scopes = tuple(sorted(set(str(raw.get("scope") or "").split())))
            all_users = str(raw.get("consentType")) == "AllPrincipals"
            builder.grants.append(
                Grant(
                    app_id=app_id,
                    kind="delegated",
                    scopes=scopes,
                    all_users=all_users,
                    user=None if all_users else str(raw.get("principalId") or "") or None,
                )
            )
            count += 1
    return count


async def application_grants(
    graph: GraphClient, builder: InventoryBuilder, index: AppIndex, workers: int
) -> int:
    """App-only permissions of third-party apps, app-role GUIDs resolved to names."""
    held: dict[str, set[str]] = defaultdict(set)
    since: dict[str, datetime] = {}

    def on_page(sp_id: str, items: list[dict[str, Any]]) -> None:
        for raw in items:
            resource, role_id = str(raw.get("resourceId")), str(raw.get("appRoleId"))
            value = index.role_value.get((resource, role_id))
            if value is None:
                continue  # default access (all-zero id) or a role the resource no longer has
            held[sp_id].add(value)
            created = parse_time(raw.get("createdDateTime"))
            if created is not None and (sp_id not in since or created < since[sp_id]):
                since[sp_id] = created

    pump = BatchPump(graph, on_page, workers=workers)
    select = "$select=appRoleId,resourceId,createdDateTime&$top=999"
    await pump.add(
        BatchJob(sp, f"/servicePrincipals/{sp}/appRoleAssignments?{select}")
        for sp in index.third_party
    )
    await pump.close()
    await pump.run()
    for sp_id, scopes in held.items():
        builder.grants.append(
            Grant(
                app_id=index.app_id_of[sp_id],
                kind="application",
                scopes=tuple(sorted(scopes)),
                all_users=True,
                granted_at=since.get(sp_id),
            )
        )
    return len(held)
