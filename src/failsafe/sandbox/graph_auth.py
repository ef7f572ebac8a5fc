"""Microsoft identity platform: the client-credentials token endpoint and bearer checks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from failsafe.sandbox.spec import TenantSpec
from failsafe.sandbox.state import SandboxState
from failsafe.sandbox.wire import Reply, Req, graph_denied, graph_error, graph_not_premium, ok

GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"
TOKEN_PREFIX = "sbxg"


def _token_error(status: int, error: str, code: int, description: str) -> Reply:
    now = datetime.now(UTC)
    trace = str(uuid.uuid4())
    return Reply(
        status,
        {
            "error": error,
            "error_description": f"AADSTS{code}: {description} Trace ID: {trace} "
            f"Timestamp: {now:%Y-%m-%d %H:%M:%SZ}",
            "error_codes": [code],
            "timestamp": f"{now:%Y-%m-%d %H:%M:%SZ}",
            "trace_id": trace,
            "correlation_id": str(uuid.uuid4()),
        },
    )


def token(state: SandboxState, tenant: str, req: Req) -> Reply:
    """``POST /{tenant}/oauth2/v2.0/token`` with a client secret."""
    form = dict(parse_qsl(req.body.decode("utf-8", "replace")))
    spec = state.microsoft_tenant(tenant)
    if spec is None:
        return _token_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
    if form.get("grant_type") != "client_credentials":
        return _token_error(
            400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
        )
    if form.get("client_id") != state.client_id:
        return _token_error(
            400, "unauthorized_client", 700016, "Application not found in the directory."
        )
    if form.get("client_secret") != state.client_secret:
        return _token_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
    if form.get("scope") != GRAPH_DEFAULT_SCOPE:
        return _token_error(
            400, "invalid_scope", 1002012, "The provided value for scope is not valid."
        )
    claims = {"tid": _tenant_id(spec), "roles": list(spec.granted_roles), "appid": state.client_id}
    access = state.issue(TOKEN_PREFIX, claims)
    return ok(
        {
            "token_type": "Bearer",
            "expires_in": state.token_lifetime,
            "ext_expires_in": state.token_lifetime,
            "access_token": access,
        }
    )


def _tenant_id(spec: TenantSpec) -> str:
    from failsafe.sandbox.spec import company

    return company(spec).tenant_id


def authenticate(state: SandboxState, req: Req) -> tuple[TenantSpec, frozenset[str]] | Reply:
    """The tenant and granted roles of the request's bearer token, or a 401 reply."""
    header = req.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value:
        return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
    claims = state.verify(TOKEN_PREFIX, value.strip())
    if claims is None:
        return graph_error(
            401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
        )
    spec = state.by_tenant_id(str(claims["tid"]))
    if spec is None:
        return graph_error(401, "InvalidAuthenticationToken", "Invalid audience.")
    return spec, frozenset(claims.get("roles", ()))


def require(
    spec: TenantSpec, roles: frozenset[str], any_of: tuple[str, ...], premium: bool = False
) -> Reply | None:
    """403 unless one of ``any_of`` is granted (and the tenant has P1/P2 when needed)."""
    if not roles & frozenset(any_of):
        return graph_denied()
    if premium and not spec.premium:
        return graph_not_premium()
    return None
