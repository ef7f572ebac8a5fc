"""One rendering of every error: ``{"error": code, "detail": message}``, never a stack trace.

FailSafe errors carry their own status and code; Starlette/FastAPI HTTP exceptions get a code
from their status; validation errors answer 422 with the path of each bad field (the submitted
values are never echoed, they may be passwords). Anything else is a 500 with a fixed message.
"""

from __future__ import annotations

from typing import Any

import psycopg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from failsafe.errors import FailSafeError, TooManyRequests

log = structlog.get_logger(__name__)

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail, **extra}


async def _failsafe(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FailSafeError)
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status >= 500:
        log.error("web.error", code=exc.code)
    return JSONResponse(error_body(exc.code, exc.detail), exc.status, headers=headers)


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES.get(exc.status_code, "error" if exc.status_code < 500 else "internal_error")
    detail = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return JSONResponse(error_body(code, detail), exc.status_code, headers=dict(exc.headers or {}))


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"path": _field_path(err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
        for err in exc.errors()
    ]
    first = fields[0] if fields else {"path": "", "message": "invalid request"}
    detail = f"{first['path']}: {first['message']}" if first["path"] else first["message"]
    return JSONResponse(error_body("validation_failed", detail, fields=fields), 422)


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    # Input PostgreSQL refuses as data (a NUL in a query string, an out-of-range number) is the
    # caller's mistake, not ours; the statement and its parameters are never shown.
    log.info("web.invalid_data", path=request.url.path)
    return JSONResponse(error_body("invalid_input", "the request contains invalid data"), 422)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("web.unhandled", path=request.url.path, error_type=type(exc).__name__)
    return JSONResponse(error_body("internal_error", "internal error"), 500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one handler per error family."""
    app.add_exception_handler(FailSafeError, _failsafe)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DBAPIError, _data_error_or_500)
    app.add_exception_handler(Exception, _unexpected)


async def _data_error_or_500(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if isinstance(exc.orig, psycopg.errors.DataError):
        return await _data_error(request, exc)
    return await _unexpected(request, exc)
