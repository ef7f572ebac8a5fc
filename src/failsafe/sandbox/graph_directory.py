"""Graph directory endpoints: organization, users, SKUs, MFA registration, directory roles."""

from __future__ import annotations

import re

from failsafe.sandbox import catalog
from failsafe.sandbox import graph_model as gm
from failsafe.sandbox.graph_auth import require
from failsafe.sandbox.graph_paging import (
    collection,
    encode_skip,
    page,
    parse_filter,
    select_of,
    top_of,
)
from failsafe.sandbox.people import resolve
from failsafe.sandbox.spec import TenantSpec
from failsafe.sandbox.wire import Reply, Req, graph_bad_request, graph_not_found, ok

USER_READ = ("User.Read.All", "Directory.Read.All")
ORG_READ = ("Organization.Read.All", "Directory.Read.All")
ROLE_READ = ("RoleManagement.Read.Directory", "Directory.Read.All")
AUDIT = ("AuditLog.Read.All",)
Roles = frozenset[str]


def organization(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET the organization (one object in a collection)."""
    denied = require(spec, roles, ORG_READ)
    if denied:
        return denied
    return collection(req, [gm.organization_json(spec)], "organization")


def users(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET the user list (paged, ``$select`` / ``fields`` honoured)."""
    denied = require(spec, roles, USER_READ)
    if denied:
        return denied
    if req.arg("$filter") or req.arg("$search") or req.arg("$orderby"):
        # Limitation: /users answers only $select/$top paging; filters need an index.
        return graph_bad_request("Unsupported query option for this sandbox endpoint.")
    select = select_of(req, gm.USER_DEFAULT + gm.USER_EXTRA)
    size = top_of(req, 100, 999)
    if select is not None and "signInActivity" in select:
        denied = require(spec, roles, AUDIT, premium=True)
        if denied:
            return denied
        size = min(size, 500)  # Graph caps pages at 500 when signInActivity is selected
    return page(
        req, spec.users, lambda i: gm.user_json(spec, i, select), size=size, context="users"
    )


def user(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET one user by id or UPN."""
    denied = require(spec, roles, USER_READ)
    if denied:
        return denied
    index = resolve(spec, "microsoft", m.group("id"))
    if index is None:
        return graph_not_found()
    body = gm.user_json(spec, index, select_of(req, gm.USER_DEFAULT + gm.USER_EXTRA))
    return ok(
        {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity", **body}
    )


def subscribed_skus(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET subscribed SKUs (unpaged)."""
    denied = require(spec, roles, ORG_READ)
    if denied:
        return denied
    return collection(req, gm.skus_json(spec), "subscribedSkus", size=999)


def registration_details(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET the MFA registration report."""
    denied = require(spec, roles, (*AUDIT, "UserAuthenticationMethod.Read.All"), premium=True)
    if denied:
        return denied
    if req.arg("$select"):
        return graph_bad_request("Query option '$select' is not allowed.")
    if parse_filter(req):
        # Limitation: $filter on the registration report is not simulated.
        return graph_bad_request("Unsupported filter for this sandbox endpoint.")
    return page(
        req,
        spec.users,
        lambda i: gm.registration_json(spec, i),
        size=top_of(req, 100, 999),
        context="reports/authenticationMethods/userRegistrationDetails",
    )


def directory_roles(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET activated directory roles (not paged)."""
    denied = require(spec, roles, ROLE_READ)
    if denied:
        return denied
    items = gm.directory_roles_json(spec)
    # Not paged in Graph: one response carries every activated role.
    return collection(req, items, "directoryRoles", size=len(items) or 1, maximum=10**6)


def role_members(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET a role's members (not paged)."""
    denied = require(spec, roles, ROLE_READ)
    if denied:
        return denied
    key = m.group("id")
    holders = gm.role_holders(spec)
    for name, indices in holders.items():
        template = catalog.ROLE_TEMPLATES[name]
        if key in (gm.role_object_id(spec, name), f"roleTemplateId={template}"):
            items = [gm.member_json(spec, i) for i in indices]
            return collection(req, items, "directoryObjects", size=len(items) or 1, maximum=10**6)
    return graph_not_found()


def role_assignments(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET role assignments."""
    denied = require(spec, roles, ROLE_READ)
    if denied:
        return denied
    items = []
    for name, indices in gm.role_holders(spec).items():
        template = catalog.ROLE_TEMPLATES[name]
        for index in indices:
            principal = gm.member_json(spec, index)
            items.append(
                {
                    "id": f"{template}_{principal['id']}",
                    "principalId": principal["id"],
                    "roleDefinitionId": template,
                    "directoryScopeId": "/",
                    "resourceScope": "/",
                    **({"principal": principal} if req.arg("$expand") else {}),
                }
            )
    for field, op, value in parse_filter(req):
        if op != "eq" or field not in ("roleDefinitionId", "principalId"):
            return graph_bad_request(f"Unsupported filter on {field}.")
        items = [i for i in items if i[field] == value]
    return collection(req, items, "roleManagement/directory/roleAssignments")


DELTA_PAGE = 200  # server-driven page size, like Graph's


def users_delta(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """``/users/delta``: a full round of pages ending in a deltaLink; later rounds are empty.

    # Limitation: sandbox tenants never change, so a deltaLink always answers "no changes".
    """
    denied = require(spec, roles, USER_READ)
    if denied:
        return denied
    select = select_of(req, gm.USER_DEFAULT + gm.USER_EXTRA)
    if select is not None:
        select = select | {"id"}
    if req.arg("$deltatoken") is not None:
        return ok(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
                "value": [],
                "@odata.deltaLink": _delta_link(req),
            }
        )
    reply = page(
        req, spec.users, lambda i: gm.user_json(spec, i, select), size=DELTA_PAGE, context="users"
    )
    if "@odata.nextLink" not in reply.payload:
        reply.payload["@odata.deltaLink"] = _delta_link(req)
    return reply


def _delta_link(req: Req) -> str:
    rest = req.query_without("$skiptoken", "$deltatoken")
    token = encode_skip(0)
    return f"{req.base}{req.path}?{rest + '&' if rest else ''}$deltatoken={token}"


def users_count(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """``/users/$count`` (needs ``ConsistencyLevel: eventual``), answered as text/plain."""
    denied = require(spec, roles, USER_READ)
    if denied:
        return denied
    if req.headers.get("consistencylevel", "").lower() != "eventual":
        return graph_bad_request("Count is not currently supported without ConsistencyLevel.")
    return Reply(200, str(spec.users).encode(), content_type="text/plain")
