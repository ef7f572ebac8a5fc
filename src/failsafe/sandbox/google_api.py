"""The Google router (Directory, Reports, Licensing, Gmail) and the HTTP batch endpoint."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from failsafe.sandbox import google_directory as gd
from failsafe.sandbox import google_gmail as gm
from failsafe.sandbox import google_reports as gr
from failsafe.sandbox.google_auth import GoogleCaller, authenticate
from failsafe.sandbox.google_paging import GoogleBadRequest
from failsafe.sandbox.log import LoggedRequest
from failsafe.sandbox.state import SandboxState
from failsafe.sandbox.wire import (
    Reply,
    Req,
    google_error,
    google_rate_403,
    google_throttled,
    unavailable,
)

Handler = Callable[[GoogleCaller, Req, re.Match[str]], Reply]
ROUTES: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(f"^{pattern}$"), handler)
    for pattern, handler in (
        (r"/admin/directory/v1/users", gd.users),
        (r"/admin/directory/v1/users/(?P<user>[^/]+)/tokens", gd.tokens),
        (r"/admin/directory/v1/customer/(?P<customer>[^/]+)/roles", gd.roles),
        (r"/admin/directory/v1/customer/(?P<customer>[^/]+)/roleassignments", gd.role_assignments),
        (
            r"/admin/reports/v1/activity/users/(?P<user>[^/]+)/applications/(?P<app>[a-z_]+)",
            gr.activities,
        ),
        (
            r"/apps/licensing/v1/product/(?P<product>[^/]+)(?:/sku/(?P<sku>[^/]+))?/users",
            gd.license_users,
        ),
        (r"/gmail/v1/users/(?P<user>[^/]+)/messages", gm.list_messages),
        (r"/gmail/v1/users/(?P<user>[^/]+)/messages/(?P<id>[0-9a-f]+)", gm.get_message),
        (r"/gmail/v1/users/(?P<user>[^/]+)/history", gm.history),
    )
)
# Each API lives below its own base URL setting; batch parts name the API by its path.
API_PREFIXES = ("/admin/", "/apps/licensing/", "/gmail/")
BATCH_LIMIT = 100
_REQUEST_LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<target>\S+)(?: HTTP/1\.1)?$")


def dispatch(state: SandboxState, req: Req) -> Reply:
    """Answer one Google GET (direct or inside a batch)."""
    caller = authenticate(state, req)
    if isinstance(caller, Reply):
        return caller
    req.context["state"] = state
    for pattern, handler in ROUTES:
        match = pattern.match(req.path)
        if match is not None:
            try:
                return handler(caller, req, match)
            except GoogleBadRequest as exc:
                return google_error(400, "badRequest", str(exc))
    return google_error(404, "notFound", f"Not Found: {req.path}")


def batch_methods(body: bytes, content_type: str) -> list[str] | None:
    """The methods of every part, or None when the body is not a readable batch."""
    parts = _parts(body, content_type)
    if parts is None:
        return None
    return [method for method, _target, _headers in parts]


def batch(state: SandboxState, req: Req, content_type: str) -> Reply:
    """``POST /batch``: multipart/mixed of up to 100 GETs, one HTTP response per part."""
    parts = _parts(req.body, content_type)
    if parts is None or not 0 < len(parts) <= BATCH_LIMIT:
        return google_error(400, "badRequest", "Invalid batch request (1 to 100 parts).")
    boundary = "batch_" + secrets.token_hex(8)
    chunks: list[str] = []
    for n, (method, target, headers) in enumerate(parts):
        reply = _part(state, req, method, target, headers)
        reason = {
            200: "OK",
            400: "Bad Request",
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not Found",
            429: "Too Many Requests",
            503: "Service Unavailable",
        }
        extra = "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items())
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/http\r\n"
            f"Content-ID: <response-item{n}>\r\n\r\n"
            f"HTTP/1.1 {reply.status} {reason.get(reply.status, 'Error')}\r\n"
            f"Content-Type: application/json; charset=UTF-8\r\n{extra}\r\n"
            f"{reply.body().decode()}\r\n"
        )
    chunks.append(f"--{boundary}--\r\n")
    return Reply(
        200, "".join(chunks).encode(), content_type=f"multipart/mixed; boundary={boundary}"
    )


def _part(
    state: SandboxState, outer: Req, method: str, target: str, headers: dict[str, str]
) -> Reply:
    parts = urlsplit(target)
    path = unquote(parts.path)
    for prefix in ("/google/admin", "/google/licensing", "/google/gmail"):
        if path.startswith(prefix + "/"):
            path = path[len(prefix) :]
    inner = Req(
        method, path, Req.parse_query(parts.query), {**outer.headers, **headers}, b"", outer.base
    )
    reply = _answer(state, inner, method)
    state.log.add(
        LoggedRequest(
            method,
            _logged_path(path),
            parts.query,
            0,
            "google_batch",
            reply.status,
            refused=method != "GET",
        )
    )
    return reply


def _logged_path(path: str) -> str:
    # Log batch parts under the same paths as direct requests (/google/gmail/gmail/v1/...).
    for prefix, mount in (
        ("/admin/", "/google/admin"),
        ("/apps/licensing/", "/google/licensing"),
        ("/gmail/", "/google/gmail"),
    ):
        if path.startswith(prefix):
            return mount + path
    return path


def _answer(state: SandboxState, inner: Req, method: str) -> Reply:
    if method != "GET":
        return google_error(405, "methodNotAllowed", "The sandbox only answers reads.")
    if not inner.path.startswith(API_PREFIXES):
        return google_error(404, "notFound", f"Not Found: {inner.path}")
    fault = state.faults.pick("google", inner.path, item=True)
    if fault is not None:
        if fault.kind == "throttle":
            return google_throttled(fault.retry_after)
        if fault.kind == "rate_limit_403":
            return google_rate_403()
        return unavailable("google")
    return dispatch(state, inner)


def _parts(body: bytes, content_type: str) -> list[tuple[str, str, dict[str, str]]] | None:
    boundary = None
    for piece in content_type.split(";"):
        name, _, value = piece.strip().partition("=")
        if name.lower() == "boundary" and value:
            boundary = value.strip('"')
    if not content_type.lower().startswith("multipart/mixed") or not boundary:
        return None
    text = body.decode("utf-8", "replace").replace("\r\n", "\n")
    out = []
    for chunk in text.split(f"--{boundary}")[1:]:
        if chunk.startswith("--"):
            break
        _outer, _, inner = chunk.strip("\n").partition("\n\n")
        lines = inner.split("\n")
        match = _REQUEST_LINE.match(lines[0].strip()) if lines else None
        if match is None:
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line.strip():
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        out.append((match.group("method"), match.group("target"), headers))
    return out
