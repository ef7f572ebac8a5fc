"""The Graph v1.0 router: bearer check, route table, and JSON ``$batch`` of GETs."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

import orjson

from failsafe.sandbox import graph_activity as act
from failsafe.sandbox import graph_apps as apps
from failsafe.sandbox import graph_directory as d
from failsafe.sandbox.graph_auth import authenticate
from failsafe.sandbox.graph_paging import BadQuery, bad
from failsafe.sandbox.log import LoggedRequest
from failsafe.sandbox.spec import TenantSpec
from failsafe.sandbox.state import SandboxState
from failsafe.sandbox.wire import (
    Reply,
    Req,
    graph_bad_request,
    graph_error,
    graph_throttled,
    ok,
    unavailable,
)

Handler = Callable[[TenantSpec, frozenset[str], Req, re.Match[str]], Reply]
ID = r"(?P<id>[^/]+)"
ROUTES: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(f"^{pattern}$", re.IGNORECASE), handler)
    for pattern, handler in (
        (r"/organization", d.organization),
        (r"/users", d.users),
        (r"/users/delta", d.users_delta),
        (r"/users/\$count", d.users_count),
        (rf"/users/{ID}/messages", act.messages),
        (rf"/users/{ID}", d.user),
        (r"/subscribedSkus", d.subscribed_skus),
        (r"/reports/authenticationMethods/userRegistrationDetails", d.registration_details),
        (r"/directoryRoles", d.directory_roles),
        (rf"/directoryRoles/{ID}/members", d.role_members),
        (r"/roleManagement/directory/roleAssignments", d.role_assignments),
        (r"/servicePrincipals", apps.service_principals),
        (
            rf"/servicePrincipals/{ID}/(?P<kind>appRoleAssignments|appRoleAssignedTo)",
            apps.assignments,
        ),
        (r"/servicePrincipals(?P<id>\(appId='[^']+'\))", apps.service_principal),
        (rf"/servicePrincipals/{ID}", apps.service_principal),
        (r"/oauth2PermissionGrants", apps.permission_grants),
        (r"/auditLogs/signIns", act.sign_ins),
        (r"/policies/authorizationPolicy", act.authorization_policy),
        (r"/policies/identitySecurityDefaultsEnforcementPolicy", act.security_defaults),
        (r"/identity/conditionalAccess/policies", act.conditional_access),
    )
)
BATCH_LIMIT = 20
# Limitation: /users/{id}/messages/delta is not simulated; incremental mail reads use the
# receivedDateTime window instead (users/delta and Gmail history.list are simulated).
# Limitation: per-endpoint throttling budgets (resource units, reports 5 per 10 s) are not
# enforced on their own; tests schedule 429s explicitly with faults.


def dispatch(state: SandboxState, req: Req) -> Reply:
    """Answer one Graph GET (direct or inside a batch)."""
    who = authenticate(state, req)
    if isinstance(who, Reply):
        return who
    spec, roles = who
    req.context["state"] = state
    for pattern, handler in ROUTES:
        match = pattern.match(req.path)
        if match is not None:
            try:
                return handler(spec, roles, req, match)
            except BadQuery as exc:
                return bad(exc)
    return graph_error(400, "BadRequest", f"Resource not found for the segment '{req.path}'.")


def batch(state: SandboxState, req: Req) -> Reply:
    """``POST /$batch``: up to 20 GETs, each answered with its own status."""
    try:
        payload = orjson.loads(req.body)
        items = payload["requests"]
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return graph_bad_request("Invalid batch payload format.")
    if not 0 < len(items) <= BATCH_LIMIT:
        return graph_bad_request(f"The batch must hold 1 to {BATCH_LIMIT} requests.")
    ids = [str(i.get("id", "")).lower() for i in items if isinstance(i, dict)]
    if len(set(ids)) != len(items) or "" in ids:
        return graph_bad_request("Batch request ids must be present and unique.")
    responses = []
    for item in items:
        responses.append(_item(state, req, item))
    return ok({"responses": responses})


def _item(state: SandboxState, outer: Req, item: dict[str, object]) -> dict[str, object]:
    method = str(item.get("method", "GET")).upper()
    url = str(item.get("url", ""))
    parts = urlsplit(url if url.startswith("/") else "/" + url)
    path = unquote(parts.path)
    if path.lower().startswith("/v1.0/"):
        path = path[5:]
    inner = Req(
        method,
        path,
        Req.parse_query(parts.query),
        {**outer.headers, **_lower(item.get("headers"))},
        b"",
        outer.base,
    )
    reply = _answer(state, inner, method)
    state.log.add(
        LoggedRequest(
            method,
            "/graph/v1.0" + path,
            parts.query,
            0,
            "graph_batch",
            reply.status,
            refused=method != "GET",
        )
    )
    headers = {"Content-Type": "application/json", **reply.headers}
    return {"id": item.get("id"), "status": reply.status, "headers": headers, "body": reply.payload}


def _answer(state: SandboxState, inner: Req, method: str) -> Reply:
    if method != "GET":
        # Limitation: a real Graph would run it; the sandbox refuses and records every write.
        return graph_error(405, "Request_BadRequest", "The sandbox only answers reads.")
    fault = state.faults.pick("graph", inner.path, item=True)
    if fault is not None:
        if fault.kind == "throttle":
            return graph_throttled(fault.retry_after)
        return unavailable("graph")
    return dispatch(state, inner)


def _lower(headers: object) -> dict[str, str]:
    if not isinstance(headers, dict):
        return {}
    return {str(k).lower(): str(v) for k, v in headers.items()}
