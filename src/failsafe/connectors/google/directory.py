"""Google Directory sections: users (with 2SV and admin flags), admin roles, user tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from failsafe.connectors.google.client import GoogleClient
from failsafe.connectors.timeparse import parse_time
from failsafe.inventory.builder import InventoryBuilder, UserDraft
from failsafe.inventory.model import App, Grant, RoleAssignment, TenantInfo

USER_FIELDS = (
    "nextPageToken,users(id,primaryEmail,name/fullName,isAdmin,isDelegatedAdmin,"
    "isEnrolledIn2Sv,isEnforcedIn2Sv,lastLoginTime,creationTime,suspended,archived,customerId)"
)
SUPER_ADMIN_ROLE = "super_admin"

MailboxFeed = Callable[[list[str]], Awaitable[None]]


class GoogleIndex:
    """Lookups later sections need: customer id, email -> user id, super admins."""

    def __init__(self) -> None:
        self.customer_id = "my_customer"
        self.id_by_email: dict[str, str] = {}
        self.domains: set[str] = set()  # grows page by page; Gmail reads it live
        # ``isAdmin`` (super admin) only: ``isDelegatedAdmin`` marks holders of lesser roles.
        self.super_admins: set[str] = set()  # user ids


async def users(
    google: GoogleClient, builder: InventoryBuilder, index: GoogleIndex, feed: MailboxFeed | None
) -> int:
    """Every user; also derives the tenant (customer id, domains) and 2SV enforcement."""
    url = f"{google.admin_base}/admin/directory/v1/users"
    params = {
        "customer": "my_customer",
        "maxResults": "500",
        "projection": "basic",
        "fields": USER_FIELDS,
    }
    token = google.admin_token("admin.directory.user.readonly")
    domains = index.domains
    async for page in google.pages(url, params, "users", token):
        mailboxes = []
        for raw in page:
            draft = _user(raw)
            builder.users[draft.id] = draft
            index.id_by_email[draft.email] = draft.id
            if raw.get("isAdmin"):
                index.super_admins.add(draft.id)
            index.customer_id = str(raw.get("customerId") or index.customer_id)
            domains.add(draft.email.rpartition("@")[2])
            if draft.enabled:
                mailboxes.append(draft.email)
        if feed is not None and mailboxes:
            await feed(mailboxes)
    # Limitation: domains are those of user addresses; domains.list (another scope) would also
    # give alias domains without users.
    admin_domain = google.credentials.admin_email.rpartition("@")[2].lower()
    builder.tenant = TenantInfo("google", index.customer_id, admin_domain, tuple(sorted(domains)))
    enabled = [d for d in builder.users.values() if d.enabled]
    # Limitation: per-OU 2SV policy is not readable read-only; "enforced for every enabled user"
    # stands in for the domain setting.
    builder.policies = replace(
        builder.policies, two_step_enforced=bool(enabled) and all(d.mfa_enforced for d in enabled)
    )
    return len(builder.users)


def _user(raw: dict[str, Any]) -> UserDraft:
    enrolled = bool(raw.get("isEnrolledIn2Sv"))
    return UserDraft(
        id=str(raw["id"]),
        email=str(raw.get("primaryEmail") or raw["id"]).lower(),
        display_name=str((raw.get("name") or {}).get("fullName") or ""),
        kind="member",
        enabled=not (raw.get("suspended") or raw.get("archived")),
        created_at=parse_time(raw.get("creationTime")),
        last_sign_in_at=parse_time(raw.get("lastLoginTime")),
        mfa_registered=enrolled,
        mfa_methods=("2sv",) if enrolled else (),
        mfa_enforced=bool(raw.get("isEnforcedIn2Sv")),
        is_admin=bool(raw.get("isAdmin") or raw.get("isDelegatedAdmin")),
    )


async def admin_roles(google: GoogleClient, builder: InventoryBuilder, index: GoogleIndex) -> int:
    """Admin roles and their user assignees; super admins flagged on users count too."""
    token = google.admin_token("admin.directory.rolemanagement.readonly")
    base = f"{google.admin_base}/admin/directory/v1/customer/{index.customer_id}"
    roles: dict[str, tuple[str, bool, bool]] = {}
    async for page in google.pages(f"{base}/roles", {"maxResults": "100"}, "items", token):
        for raw in page:
            roles[str(raw["roleId"])] = (
                str(raw.get("roleName") or raw["roleId"]),
                bool(raw.get("isSuperAdminRole")),
                bool(raw.get("isSystemRole") or raw.get("isSuperAdminRole")),
            )
    params = {"maxResults": "200"}
    async for page in google.pages(f"{base}/roleassignments", params, "items", token):
        for raw in page:
            draft = builder.users.get(str(raw.get("assignedTo")))
            role = roles.get(str(raw.get("roleId")))
            if draft is None or role is None or raw.get("assigneeType", "user") != "user":
                continue
            name, is_super, privileged = role
            builder.role_assignments.append(
                RoleAssignment(draft.email, str(raw["roleId"]), name, is_super, privileged)
            )
    _add_flagged_super_admins(builder, index)
    return len(builder.role_assignments)


def _add_flagged_super_admins(builder: InventoryBuilder, index: GoogleIndex) -> None:
    # isAdmin marks super admins even when their assignment comes through a group. The draft's
    # is_admin flag is not enough: it also holds isDelegatedAdmin, which marks users of lesser
    # admin roles, and counting those as super admins hides a lone super admin (ID-004).
    have = {a.user for a in builder.role_assignments if a.is_global_admin}
    for draft in builder.users.values():
        if draft.id in index.super_admins and draft.email not in have:
            builder.role_assignments.append(
                RoleAssignment(draft.email, SUPER_ADMIN_ROLE, "Super Admin", True, True)
            )


async def user_tokens(google: GoogleClient, builder: InventoryBuilder) -> int:
    """Per-user OAuth tokens (tokens.list), only when the customer opted in."""
    token = google.admin_token("admin.directory.user.security")
    count = 0
    for draft in list(builder.users.values()):
        url = f"{google.admin_base}/admin/directory/v1/users/{draft.id}/tokens"
        payload = await google.http.get_json(url, auth=token)
        for raw in payload.get("items") or []:
            client_id = str(raw.get("clientId") or "")
            if not client_id:
                continue
            builder.add_app(
                App(client_id, str(raw.get("displayText") or client_id), None, None, False, None)
            )
            builder.grants.append(
                Grant(
                    client_id,
                    "delegated",
                    tuple(sorted(raw.get("scopes") or [])),
                    False,
                    user=draft.email,
                    source="user_tokens",
                )
            )
            count += 1
    return count
