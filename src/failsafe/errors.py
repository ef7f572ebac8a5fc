"""FailSafe's error hierarchy.

Every expected failure is a ``FailSafeError`` carrying its HTTP status and a stable code; the
web layer renders all of them with one handler as ``{"error": code, "detail": message}``::

    FailSafeError (500)
    ├── BadRequest (400)
    │   └── ValidationFailed (422)
    ├── NotAuthenticated (401)
    ├── Forbidden (403)
    ├── NotFound (404)            also what an actor gets for what it may not see
    ├── Conflict (409)
    ├── TooManyRequests (429)     carries retry_after seconds
    ├── ConfigurationError (500)  the process is misconfigured; refuse to start
    └── UpstreamError (502)       a tenant API or provider failed
"""

from __future__ import annotations


class FailSafeError(Exception):
    """Base of every expected error; ``status`` and ``code`` drive the HTTP answer."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(FailSafeError):
    status = 400
    code = "bad_request"


class ValidationFailed(BadRequest):
    status = 422
    code = "validation_failed"


class NotAuthenticated(FailSafeError):
    status = 401
    code = "not_authenticated"


class Forbidden(FailSafeError):
    status = 403
    code = "forbidden"


class NotFound(FailSafeError):
    status = 404
    code = "not_found"


class Conflict(FailSafeError):
    status = 409
    code = "conflict"


class TooManyRequests(FailSafeError):
    status = 429
    code = "rate_limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ConfigurationError(FailSafeError):
    status = 500
    code = "misconfigured"


class UpstreamError(FailSafeError):
    status = 502
    code = "upstream_error"
