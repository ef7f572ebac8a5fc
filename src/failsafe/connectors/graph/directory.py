"""Graph directory sections: organization, users (+ licences), SKUs, MFA, admin roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from failsafe.connectors.errors import AccessDenied
from failsafe.connectors.graph.client import GraphClient
from failsafe.connectors.graph.pump import BatchJob, BatchPump
from failsafe.connectors.timeparse import parse_time
from failsafe.inventory.builder import InventoryBuilder, UserDraft
from failsafe.inventory.model import LicenseAssignment, LicenseSku, RoleAssignment, TenantInfo

USER_FIELDS = (
    "id,displayName,userPrincipalName,mail,accountEnabled,userType,createdDateTime,assignedLicenses"
)
USERS_PAGE = "999"
USERS_PAGE_WITH_SIGN_IN = "500"  # Graph caps pages at 500 when signInActivity is selected

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
# Built-in role template ids that can change identities, roles, apps or policies
# (Microsoft Entra built-in roles reference).
PRIVILEGED_ROLES = frozenset(
    {
        GLOBAL_ADMIN,
        "e8611ab8-c189-46e8-94e1-60213ab1f814",  # Privileged Role Administrator
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",  # Privileged Authentication Administrator
        "fe930be7-5e62-47db-91af-98c3a49a38b1",  # User Administrator
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",  # Application Administrator
        "158c047a-c907-4556-b7ef-446551a6b5f7",  # Cloud Application Administrator
        "194ae4cb-b126-40b2-bd5b-6091b380977d",  # Security Administrator
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",  # Conditional Access Administrator
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",  # Authentication Administrator
        "29232cdf-9323-42fd-ade2-1d097af3e4de",  # Exchange Administrator
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",  # SharePoint Administrator
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",  # Hybrid Identity Administrator
        "3a2c62db-5318-420d-8d74-23affee5d9d5",  # Intune Administrator
        "fdd7a751-b60b-444a-984c-02652fe8fa1c",  # Groups Administrator
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",  # Helpdesk Administrator
        "966707d0-3269-4727-9be2-8c3a10f19b9d",  # Password Administrator
    }
)

MailboxFeed = Callable[[list[tuple[str, str]]], Awaitable[None]]


async def organization(graph: GraphClient, builder: InventoryBuilder) -> int:
    """Tenant id, name and verified domains."""
    payload = await graph.get("/organization", {"$select": "id,displayName,verifiedDomains"})
    orgs = payload.get("value") or []
    if not orgs or not isinstance(orgs[0], dict):
        raise AccessDenied("/organization returned no organization")
    org = orgs[0]
    domains = tuple(
        sorted(
            str(d["name"]).lower()
            for d in org.get("verifiedDomains") or []
            if isinstance(d, dict) and d.get("name")
        )
    )
    builder.tenant = TenantInfo(
        "microsoft", str(org["id"]), str(org.get("displayName") or ""), domains
    )
    return 1


async def users(
    graph: GraphClient, builder: InventoryBuilder, feed: MailboxFeed | None
) -> tuple[int, str | None]:
    """Users and their licences; (count, why sign-in activity was unavailable or None)."""
    with_sign_in = {"$select": USER_FIELDS + ",signInActivity", "$top": USERS_PAGE_WITH_SIGN_IN}
    try:
        return await _read_users(graph, builder, feed, with_sign_in, True), None
    except AccessDenied as exc:
        # signInActivity needs AuditLog.Read.All and Entra ID P1/P2; the rest of the user
        # record does not, so read users without it and say why sign-in activity is missing.
        if builder.users:
            raise
        plain = {"$select": USER_FIELDS, "$top": USERS_PAGE}
        return await _read_users(graph, builder, feed, plain, False), exc.reason


async def _read_users(
    graph: GraphClient,
    builder: InventoryBuilder,
    feed: MailboxFeed | None,
    params: dict[str, str],
    with_sign_in: bool,
) -> int:
    async for page in graph.pages("/users", params):
        mailboxes: list[tuple[str, str]] = []
        for raw in page:
            draft = _user(raw, with_sign_in)
            builder.users[draft.id] = draft
            for licence in raw.get("assignedLicenses") or []:
                if isinstance(licence, dict) and licence.get("skuId"):
                    builder.license_assignments.append(
                        LicenseAssignment(draft.email, str(licence["skuId"]))
                    )
            if raw.get("mail"):
                mailboxes.append((draft.id, draft.email))
        if feed is not None and mailboxes:
            await feed(mailboxes)
    return len(builder.users)


def _user(raw: dict[str, Any], with_sign_in: bool) -> UserDraft:
    activity = raw.get("signInActivity") or {}
    last = None
    if with_sign_in and isinstance(activity, dict):
        seen = [
            parse_time(activity.get("lastSignInDateTime")),
            parse_time(activity.get("lastNonInteractiveSignInDateTime")),
        ]
        last = max((s for s in seen if s is not None), default=None)
    email = str(raw.get("userPrincipalName") or raw.get("mail") or raw["id"]).lower()
    return UserDraft(
        id=str(raw["id"]),
        email=email,
        display_name=str(raw.get("displayName") or ""),
        kind="guest" if str(raw.get("userType", "")).lower() == "guest" else "member",
        enabled=bool(raw.get("accountEnabled", True)),
        created_at=parse_time(raw.get("createdDateTime")),
        last_sign_in_at=last,
    )


async def subscribed_skus(graph: GraphClient, builder: InventoryBuilder) -> int:
    """Purchased and consumed seats per SKU."""
    params = {"$select": "skuId,skuPartNumber,consumedUnits,prepaidUnits"}
    async for page in graph.pages("/subscribedSkus", params):
        for raw in page:
            prepaid = raw.get("prepaidUnits") or {}
            sku_id = str(raw["skuId"])
            builder.license_skus[sku_id] = LicenseSku(
                sku_id=sku_id,
                sku_name=str(raw.get("skuPartNumber") or sku_id),
                purchased=int(prepaid["enabled"]) if "enabled" in prepaid else None,
                assigned=int(raw.get("consumedUnits") or 0),
            )
    return len(builder.license_skus)


async def mfa_registration(graph: GraphClient, builder: InventoryBuilder) -> int:
    """MFA registration and methods per user (the report supports $top but no $select)."""
    count = 0
    path = "/reports/authenticationMethods/userRegistrationDetails"
    async for page in graph.pages(path, {"$top": "999"}):
        for raw in page:
            methods = tuple(str(m) for m in raw.get("methodsRegistered") or [])
            builder.mfa[str(raw["id"])] = (bool(raw.get("isMfaRegistered")), methods)
            count += 1
    return count


async def admin_roles(graph: GraphClient, builder: InventoryBuilder, workers: int) -> int:
    """Activated directory roles and their user members (members fetched in $batch)."""
    roles: dict[str, tuple[str, str]] = {}
    async for page in graph.pages("/directoryRoles", {"$select": "id,displayName,roleTemplateId"}):
        for raw in page:
            roles[str(raw["id"])] = (
                str(raw.get("roleTemplateId") or ""),
                str(raw.get("displayName") or ""),
            )

    def on_page(role_id: str, members: list[dict[str, Any]]) -> None:
        template, name = roles[role_id]
        for member in members:
            upn = member.get("userPrincipalName")
            if not upn:  # service principals and groups hold roles too; rules track users
                continue
            builder.role_assignments.append(
                RoleAssignment(
                    user=str(upn).lower(),
                    role_id=template,
                    role_name=name,
                    is_global_admin=template == GLOBAL_ADMIN,
                    privileged=template in PRIVILEGED_ROLES,
                )
            )

    pump = BatchPump(graph, on_page, workers=workers)
    await pump.add(
        BatchJob(role_id, f"/directoryRoles/{role_id}/members?$select=id,userPrincipalName")
        for role_id in roles
    )
    await pump.close()
    await pump.run()
    return len(builder.role_assignments)
