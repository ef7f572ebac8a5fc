"""Provider-neutral request and reply types the route modules work with, plus error bodies.

Routes are plain functions ``(Req) -> Reply`` so the same code answers a direct HTTP request, a
Graph ``$batch`` item and a Google batch part.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson


@dataclass
class Req:
    method: str
    path: str  # below the provider base, e.g. "/users" or "/admin/directory/v1/users"
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    base: str = ""  # absolute URL of the provider base, for nextLinks
    context: dict[str, Any] = field(default_factory=dict)  # e.g. the authenticated token

    @classmethod
    def parse_query(cls, raw: str) -> list[tuple[str, str]]:
        """Query pairs, blank values kept."""
        return parse_qsl(raw, keep_blank_values=True)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter ``name``."""
        for key, value in self.query:
            if key == name:
                return value
        return default

    def args(self, name: str) -> list[str]:
        """Every value of a repeated query parameter."""
        return [value for key, value in self.query if key == name]

    def query_without(self, *names: str) -> str:
        """The query string without ``names``."""
        return urlencode([(k, v) for k, v in self.query if k not in names], safe="$,'():/ ")


@dataclass
class Reply:
    status: int
    payload: Any = None  # JSON-serialisable, or bytes for a raw body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    reset: bool = False  # close the connection mid-response
    delay_ms: int = 0

    def body(self) -> bytes:
        """The reply body as bytes."""
        if isinstance(self.payload, bytes):
            return self.payload
        if self.payload is None:
            return b""
        return orjson.dumps(self.payload)


def ok(payload: Any, **headers: str) -> Reply:
    """A 200 JSON reply."""
    return Reply(200, payload, dict(headers))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def graph_error(status: int, code: str, message: str, **headers: str) -> Reply:
    """Graph's error body with innerError date and request ids."""
    request_id = str(uuid.uuid4())
    inner: dict[str, Any] = {
        "date": _now(),
        "request-id": request_id,
        "client-request-id": request_id,
    }
    if status == 429:
        inner.update({"code": "429", "message": "Please retry after", "status": "429"})
    body = {"error": {"code": code, "message": message, "innerError": inner}}
    return Reply(status, body, {"request-id": request_id, **headers})


def graph_denied() -> Reply:
    """403 Authorization_RequestDenied."""
    return graph_error(
        403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
    )


def graph_not_premium() -> Reply:
    """403 for tenants without Entra ID P1/P2."""
    return graph_error(
        403,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
    )


def graph_not_found(what: str = "Resource") -> Reply:
    """404 Request_ResourceNotFound."""
    return graph_error(
        404,
        "Request_ResourceNotFound",
        f"{what} does not exist or one of its queried reference-property objects are not present.",
    )


def graph_bad_request(message: str) -> Reply:
    """400 Request_BadRequest."""
    return graph_error(400, "Request_BadRequest", message)


def graph_throttled(retry_after: float | None) -> Reply:
    """429 TooManyRequests with Retry-After (omitted when None)."""
    headers = {} if retry_after is None else {"Retry-After": _seconds(retry_after)}
    return graph_error(429, "TooManyRequests", "Please retry again later.", **headers)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def google_error(
    status: int, reason: str, message: str, domain: str = "global", **headers: str
) -> Reply:
    """Google's v1 error format."""
    statuses = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
        429: "RESOURCE_EXHAUSTED",
        503: "UNAVAILABLE",
    }
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "status": statuses.get(status, "UNKNOWN"),
        }
    }
    return Reply(status, body, dict(headers))


def google_throttled(retry_after: float | None) -> Reply:
    """Google 429 rateLimitExceeded with Retry-After (omitted when None)."""
    headers = {} if retry_after is None else {"Retry-After": _seconds(retry_after)}
    message = "Resource has been exhausted (e.g. check quota)."
    return google_error(429, "rateLimitExceeded", message, "usageLimits", **headers)


def google_rate_403() -> Reply:
    """Google 403 userRateLimitExceeded."""
    return google_error(403, "userRateLimitExceeded", "User Rate Limit Exceeded", "usageLimits")


def google_unauthenticated() -> Reply:
    """Google 401 authError."""
    reply = google_error(401, "authError", "Invalid Credentials")
    reply.payload["error"]["errors"][0].update(
        {"locationType": "header", "location": "Authorization"}
    )
    reply.headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/"'
    return reply


def google_forbidden(message: str = "Not Authorized to access this resource/api") -> Reply:
    """Google 403 forbidden."""
    return google_error(403, "forbidden", message)


def oauth_error(status: int, error: str, description: str) -> Reply:
    """An OAuth token-endpoint error body."""
    return Reply(status, {"error": error, "error_description": description})


def unavailable(provider: str) -> Reply:
    """503 in the provider's shape."""
    if provider == "google":
        return google_error(503, "backendError", "The service is currently unavailable.")
    return graph_error(
        503,
        "serviceNotAvailable",
        "The service is temporarily unavailable.",
        **{"Retry-After": "1"},
    )
