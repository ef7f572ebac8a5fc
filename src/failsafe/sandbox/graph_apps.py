"""Graph app endpoints: service principals, app-role assignments, delegated grants."""

from __future__ import annotations

import re
from typing import Any

from failsafe.sandbox import graph_model as gm
from failsafe.sandbox.graph_auth import require
from failsafe.sandbox.graph_paging import collection, parse_filter
from failsafe.sandbox.spec import TenantSpec
from failsafe.sandbox.wire import Reply, Req, graph_bad_request, graph_not_found, ok

APP_READ = ("Application.Read.All", "Directory.Read.All")
Roles = frozenset[str]


def _filtered(
    req: Req, items: list[dict[str, Any]], fields: tuple[str, ...]
) -> list[dict[str, Any]] | Reply:
    for field, op, value in parse_filter(req):
        if op != "eq" or field not in fields:
            return graph_bad_request(f"Unsupported filter on {field}.")
        items = [i for i in items if str(i.get(field)) == value]
    return items


def service_principals(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET service principals (``$filter=appId eq`` supported)."""
    denied = require(spec, roles, APP_READ)
    if denied:
        return denied
    items = _filtered(req, list(gm.service_principals(spec)), ("appId", "displayName"))
    if isinstance(items, Reply):
        return items
    return collection(req, items, "servicePrincipals")


def _sp(spec: TenantSpec, key: str) -> dict[str, Any] | None:
    for sp in gm.service_principals(spec):
        if key in (sp["id"], f"(appId='{sp['appId']}')", f"appId='{sp['appId']}'"):
            return sp
    return None


def service_principal(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET one service principal by id or ``(appId='...')``."""
    denied = require(spec, roles, APP_READ)
    if denied:
        return denied
    sp = _sp(spec, m.group("id"))
    if sp is None:
        return graph_not_found()
    chosen = req.arg("$select")
    body = {k: sp.get(k) for k in chosen.split(",")} if chosen else dict(sp)
    return ok(
        {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
            **body,
        }
    )


def assignments(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """``/appRoleAssignments`` (granted to) or ``/appRoleAssignedTo`` (granted on)."""
    denied = require(spec, roles, APP_READ)
    if denied:
        return denied
    sp = _sp(spec, m.group("id"))
    if sp is None:
        return graph_not_found()
    side = "principalId" if m.group("kind") == "appRoleAssignments" else "resourceId"
    items = [a for a in gm.app_role_assignments(spec) if a[side] == sp["id"]]
    got = _filtered(req, items, ("resourceId", "principalDisplayName"))
    if isinstance(got, Reply):
        return got
    return collection(req, got, f"servicePrincipals('{sp['id']}')/{m.group('kind')}")


def permission_grants(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET delegated permission grants."""
    denied = require(spec, roles, ("Directory.Read.All",))
    if denied:
        return denied
    items = _filtered(
        req,
        list(gm.permission_grants(spec)),
        ("clientId", "consentType", "principalId", "resourceId"),
    )
    if isinstance(items, Reply):
        return items
    return collection(req, items, "oauth2PermissionGrants")
