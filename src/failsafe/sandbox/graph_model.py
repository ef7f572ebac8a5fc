"""The Microsoft tenant of a sandbox spec, rendered as Graph v1.0 JSON objects."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Final

from failsafe.sandbox import catalog
from failsafe.sandbox.apps import planted_apps
from failsafe.sandbox.people import Person, email, guest_mail, object_id, person
from failsafe.sandbox.spec import TenantSpec, company, digest, guid

M: Final = "microsoft"
NEVER = "0001-01-01T00:00:00Z"
USER_DEFAULT = (
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
)
USER_EXTRA = (
    "accountEnabled",
    "userType",
    "createdDateTime",
    "assignedLicenses",
    "signInActivity",
    "department",
    "companyName",
    "usageLocation",
    "onPremisesSyncEnabled",
    "externalUserState",
)
FAILSAFE_TENANT = "3f6c2a9e-1b7d-4c55-9e0a-5af3e5c1d001"


def iso(moment: datetime | None) -> str | None:
    """Graph's timestamp form (None stays None)."""
    if moment is None:
        return None
    # isoformat is several times cheaper than strftime; times are whole seconds in UTC.
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def user_json(spec: TenantSpec, index: int, select: frozenset[str] | None) -> dict[str, Any]:
    """One user; without ``select`` only Graph's default properties."""
    p = person(spec, M, index)
    upn = email(spec, M, p)
    full: dict[str, Any] = {
        "businessPhones": [],
        "displayName": p.display_name,
        "givenName": p.given,
        "id": object_id(spec, M, index),
        "jobTitle": None if p.kind == "guest" else "Administrator" if p.role else "Staff",
        "mail": guest_mail(p) if p.kind == "guest" else upn,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
        "surname": p.family,
        "userPrincipalName": upn,
    }
    wanted = frozenset(USER_DEFAULT) if select is None else select
    extra = wanted & frozenset(USER_EXTRA)
    if extra:
        full.update(_user_extra(spec, p, extra))
    return {k: full.get(k) for k in (USER_DEFAULT + USER_EXTRA) if k in wanted}


def _user_extra(spec: TenantSpec, p: Person, wanted: frozenset[str]) -> dict[str, Any]:
    skus = {"SPE_E3": catalog.SKU_SPE_E3.sku_id, "SPE_E5": catalog.SKU_SPE_E5.sku_id}
    out: dict[str, Any] = {
        "accountEnabled": p.enabled,
        "userType": "Guest" if p.kind == "guest" else "Member",
        "createdDateTime": iso(p.created_at),
        "assignedLicenses": [{"disabledPlans": [], "skuId": skus[s]} for s in p.licenses],
        "department": None,
        "companyName": None,
        "usageLocation": "US",
        "onPremisesSyncEnabled": None,
        "externalUserState": "Accepted" if p.kind == "guest" else None,
    }
    if "signInActivity" in wanted:
        request = guid(spec.seed, "req", p.index) if p.last_sign_in else ""
        last = iso(p.last_sign_in) or NEVER
        out["signInActivity"] = {
            "lastSignInDateTime": last,
            "lastSignInRequestId": request,
            "lastNonInteractiveSignInDateTime": NEVER,
            "lastNonInteractiveSignInRequestId": "",
            "lastSuccessfulSignInDateTime": last,
            "lastSuccessfulSignInRequestId": request,
        }
    return out


def registration_json(spec: TenantSpec, index: int) -> dict[str, Any]:
    """userRegistrationDetails item (note the lower-case userType)."""
    p = person(spec, M, index)
    methods = list(p.mfa_methods)
    return {
        "id": object_id(spec, M, index),
        "userPrincipalName": email(spec, M, p),
        "userDisplayName": p.display_name,
        "userType": p.kind,
        "isAdmin": p.role is not None,
        "isSsprRegistered": bool(methods),
        "isSsprEnabled": True,
        "isSsprCapable": bool(methods),
        "isMfaRegistered": bool(methods),
        "isMfaCapable": bool(methods),
        "isPasswordlessCapable": "fido2" in methods,
        "methodsRegistered": methods,
        "isSystemPreferredAuthenticationMethodEnabled": True,
        "systemPreferredAuthenticationMethods": methods[:1],
        "userPreferredMethodForSecondaryAuthentication": "push" if methods else "none",
        "lastUpdatedDateTime": iso(spec.anchor - timedelta(days=3)),
    }


def organization_json(spec: TenantSpec) -> dict[str, Any]:
    """The /organization object."""
    org = company(spec)
    return {
        "id": org.tenant_id,
        "displayName": org.name,
        "createdDateTime": iso(spec.anchor - timedelta(days=2000)),
        "countryLetterCode": "US",
        "tenantType": "AAD",
        "onPremisesSyncEnabled": None,
        "technicalNotificationMails": [f"it@{org.domain}"],
        "verifiedDomains": [
            {
                "name": org.domain,
                "isDefault": True,
                "isInitial": False,
                "type": "Managed",
                "capabilities": "Email, OfficeCommunicationsOnline",
            },
            {
                "name": org.initial_domain,
                "isDefault": False,
                "isInitial": True,
                "type": "Managed",
                "capabilities": "Email, OfficeCommunicationsOnline",
            },
        ],
        "assignedPlans": [],
        "provisionedPlans": [],
        "directorySizeQuota": {"used": spec.users + 50, "total": 300000},
    }


@lru_cache(maxsize=64)
def sku_counts(spec: TenantSpec) -> dict[str, int]:
    """Assigned seats per SKU part number (one pass over the users, cached per spec)."""
    counts: dict[str, int] = {}
    for index in range(spec.users):
        for sku in person(spec, M, index).licenses:
            counts[sku] = counts.get(sku, 0) + 1
    return counts


def skus_json(spec: TenantSpec) -> list[dict[str, Any]]:
    """The /subscribedSkus items."""
    org = company(spec)
    counts = sku_counts(spec)
    items = []
    for sku in (catalog.SKU_SPE_E3, catalog.SKU_SPE_E5, catalog.SKU_FLOW_FREE):
        consumed = counts.get(sku.part_number, 0)
        if sku.paid and consumed == 0:
            continue
        prepaid = 10000 if not sku.paid else consumed + (3 if sku is catalog.SKU_SPE_E5 else 0)
        items.append(
            {
                "id": f"{org.tenant_id}_{sku.sku_id}",
                "accountId": org.tenant_id,
                "accountName": org.name,
                "appliesTo": "User",
                "capabilityStatus": "Enabled",
                "consumedUnits": consumed,
                "skuId": sku.sku_id,
                "skuPartNumber": sku.part_number,
                "subscriptionIds": [guid(spec.seed, "subscription", sku.part_number)],
                "prepaidUnits": {"enabled": prepaid, "suspended": 0, "warning": 0, "lockedOut": 0},
                "servicePlans": [
                    {
                        "servicePlanId": plan_id,
                        "servicePlanName": name,
                        "provisioningStatus": "Success",
                        "appliesTo": "User",
                    }
                    for plan_id, name in catalog.SERVICE_PLANS[sku.part_number]
                ],
            }
        )
    return items


def role_holders(spec: TenantSpec) -> dict[str, list[int]]:
    """Role display name -> person indices (role holders live in the first 41 slots)."""
    holders: dict[str, list[int]] = {"Global Administrator": []}
    for index in range(min(spec.users, 41)):
        role = person(spec, M, index).role
        if role:
            holders.setdefault(role, []).append(index)
    return holders


def role_object_id(spec: TenantSpec, name: str) -> str:
    """The object id of an activated directory role."""
    return guid(spec.seed, "directoryRole", name)


def directory_roles_json(spec: TenantSpec) -> list[dict[str, Any]]:
    """The /directoryRoles items."""
    return [
        {
            "id": role_object_id(spec, name),
            "deletedDateTime": None,
            "description": f"{name} role.",
            "displayName": name,
            "roleTemplateId": catalog.ROLE_TEMPLATES[name],
        }
        for name in role_holders(spec)
    ]


def member_json(spec: TenantSpec, index: int) -> dict[str, Any]:
    """A role member as a directoryObject (user)."""
    p = person(spec, M, index)
    return {
        "@odata.type": "#microsoft.graph.user",
        "id": object_id(spec, M, index),
        "displayName": p.display_name,
        "userPrincipalName": email(spec, M, p),
        "mail": email(spec, M, p),
    }


def failsafe_app_id() -> str:
    """FailSafe's multi-tenant app registration (client id) in the sandbox."""
    return "0f5e1a2b-3c4d-4e5f-8a9b-fa11543fe001"


def graph_sp_id(spec: TenantSpec) -> str:
    """The object id of the Microsoft Graph service principal."""
    return guid(spec.seed, "sp", "graph")


def _sp(
    spec: TenantSpec,
    sp_id: str,
    app_id: str,
    name: str,
    owner: str,
    audience: str,
    publisher: str,
    verified: bool,
    homepage: str | None,
) -> dict[str, Any]:
    return {
        "id": sp_id,
        "appId": app_id,
        "displayName": name,
        "appDisplayName": name,
        "appOwnerOrganizationId": owner,
        "publisherName": publisher or None,
        "verifiedPublisher": {
            "displayName": publisher or company(spec).name,
            "verifiedPublisherId": str(digest(app_id) % 10**7),
            "addedDateTime": "2021-03-01T00:00:00Z",
        }
        if verified
        else {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None},
        "servicePrincipalType": "Application",
        "accountEnabled": True,
        "signInAudience": audience,
        "homepage": homepage,
        "replyUrls": [f"{homepage}/auth/microsoft/callback"] if homepage else [],
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
        "appRoles": [],
        "oauth2PermissionScopes": [],
    }


@lru_cache(maxsize=64)
def service_principals(spec: TenantSpec) -> tuple[dict[str, Any], ...]:
    """Every service principal: Microsoft's, FailSafe's and the planted third-party apps."""
    owner = catalog.MICROSOFT_SERVICES_TENANT
    items: list[dict[str, Any]] = []
    for app_id, name in catalog.FIRST_PARTY_APPS:
        sp_id = graph_sp_id(spec) if app_id == catalog.GRAPH_APP_ID else guid(spec.seed, app_id)
        sp = _sp(
            spec,
            sp_id,
            app_id,
            name,
            owner,
            "AzureADMultipleOrgs",
            "Microsoft Services",
            False,
            None,
        )
        if app_id == catalog.GRAPH_APP_ID:
            sp["appRoles"] = [
                {
                    "id": rid,
                    "value": value,
                    "displayName": value,
                    "description": value,
                    "allowedMemberTypes": ["Application"],
                    "isEnabled": True,
                    "origin": "Application",
                }
                for value, rid in catalog.GRAPH_APP_ROLES.items()
            ]
            sp["oauth2PermissionScopes"] = [
                {
                    "id": sid,
                    "value": value,
                    "type": "User",
                    "isEnabled": True,
                    "adminConsentDisplayName": value,
                    "adminConsentDescription": value,
                    "userConsentDisplayName": value,
                    "userConsentDescription": value,
                }
                for value, sid in catalog.GRAPH_SCOPES.items()
            ]
        items.append(sp)
    items.append(
        _sp(
            spec,
            guid(spec.seed, "sp", "failsafe"),
            failsafe_app_id(),
            "FailSafe Scanner",
            FAILSAFE_TENANT,
            "AzureADMultipleOrgs",
            "FailSafe",
            True,
            "https://failsafe.invalid",
        )
    )
    for app in planted_apps(spec):
        items.append(
            _sp(
                spec,
                app.sp_id(spec),
                app.app_id(spec),
                app.name,
                app.owner(spec),
                app.audience(),
                app.publisher,
                app.verified,
                app.homepage,
            )
        )
    return tuple(items)


@lru_cache(maxsize=64)
def app_role_assignments(spec: TenantSpec) -> tuple[dict[str, Any], ...]:
    """Application-permission grants on Microsoft Graph (FailSafe's and planted ones)."""
    graph = graph_sp_id(spec)
    rows: list[tuple[str, str, tuple[str, ...], int]] = [
        (guid(spec.seed, "sp", "failsafe"), "FailSafe Scanner", spec.granted_roles, 10)
    ]
    rows += [
        (a.sp_id(spec), a.name, a.app_roles, a.app_roles_age_days)
        for a in planted_apps(spec)
        if a.app_roles
    ]
    out = []
    for sp_id, name, roles, age in rows:
        for role in roles:
            out.append(
                {
                    "id": guid(spec.seed, "ara", sp_id, role),
                    "deletedDateTime": None,
                    "appRoleId": catalog.GRAPH_APP_ROLES[role],
                    "createdDateTime": iso(spec.anchor - timedelta(days=age)),
                    "principalDisplayName": name,
                    "principalId": sp_id,
                    "principalType": "ServicePrincipal",
                    "resourceDisplayName": "Microsoft Graph",
                    "resourceId": graph,
                }
            )
    return tuple(out)


@lru_cache(maxsize=64)
def permission_grants(spec: TenantSpec) -> tuple[dict[str, Any], ...]:
    """Delegated grants: admin consent (AllPrincipals) and per-user consent (Principal)."""
    graph = graph_sp_id(spec)
    out = []
    for app in planted_apps(spec):
        if app.admin_consent:
            out.append(
                {
                    "id": guid(spec.seed, "grant", app.key),
                    "clientId": app.sp_id(spec),
                    "consentType": "AllPrincipals",
                    "principalId": None,
                    "resourceId": graph,
                    "scope": " " + " ".join(app.admin_consent) + " ",
                }
            )
        for index in app.consenters:
            out.append(
                {
                    "id": guid(spec.seed, "grant", app.key, index),
                    "clientId": app.sp_id(spec),
                    "consentType": "Principal",
                    "principalId": object_id(spec, M, index),
                    "resourceId": graph,
                    "scope": " ".join(app.delegated),
                }
            )
    return tuple(out)
