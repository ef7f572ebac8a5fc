"""The sandbox ASGI application: read-only gate, request log, latency, faults, routing.

URL layout (each block is the target of one FailSafe setting, see :func:`settings_overrides`):

==============================  ===============================  ===========================
path                            what                             setting
==============================  ===============================  ===========================
/login/{tenant}/oauth2/v2.0/    Microsoft token endpoint         microsoft_login_base_url
token                                                            = {root}/login
/graph/v1.0/...                 Microsoft Graph, $batch          graph_base_url
/google/token                   Google OAuth token endpoint      google_token_uri
/google/admin/admin/...         Directory and Reports APIs       google_admin_base_url
/google/licensing/apps/...      Enterprise License Manager       google_licensing_base_url
/google/gmail/gmail/v1/...      Gmail API                        google_gmail_base_url
/google/batch                   Google HTTP batch                google_batch_url
/_sandbox/log                   GET: the request log as JSON     (tests and demos)
==============================  ===============================  ===========================

Only reads pass: GET, the two token POSTs, and batches whose inner requests are all GET.
Anything else is answered 405 (403 for a batch holding a write) and recorded as refused.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict
from typing import Any
from urllib.parse import unquote

import orjson
import structlog
from starlette.applications import Starlette
from starlette.routing import Mount

from failsafe.sandbox import google_api, graph_api, graph_auth
from failsafe.sandbox import google_auth as gauth
from failsafe.sandbox.faults import Fault
from failsafe.sandbox.log import LoggedRequest
from failsafe.sandbox.state import SandboxState
from failsafe.sandbox.wire import (
    Reply,
    Req,
    google_error,
    google_rate_403,
    google_throttled,
    google_unauthenticated,
    graph_error,
    graph_throttled,
    unavailable,
)

log = structlog.get_logger(__name__)
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

LOGIN_TOKEN = re.compile(r"^/login/(?P<tenant>[^/]+)/oauth2/v2\.0/token$")
GRAPH = "/graph/v1.0"
GOOGLE_APIS = {"/google/admin": "admin", "/google/licensing": "licensing", "/google/gmail": "gmail"}


class SandboxASGI:
    """The core ASGI callable (wrapped in Starlette by :func:`create_app`)."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        arrived = time.monotonic()
        body = await _read_body(receive)
        path = unquote(scope.get("raw_path", scope["path"].encode()).decode().split("?")[0])
        query = scope.get("query_string", b"").decode("latin-1")
        method = scope["method"].upper()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        root = f"{scope.get('scheme', 'http')}://{headers.get('host', '127.0.0.1')}"

        reply, provider, sub, refused = self._route(method, path, query, headers, body, root)
        fault = self.state.faults.pick(provider, sub) if provider and not refused else None
        slow = fault is not None and fault.kind == "slow"
        answer = _faulted(fault, provider) if fault is not None and not slow else reply()
        if self.state.latency_ms:
            # The latency is how long the simulated service takes to answer, its own work
            # included: a real tenant API computes its pages on its own machines, whereas the
            # simulator's CPU is shared with the scanner under test.
            await asyncio.sleep(max(0.0, arrived + self.state.latency_ms / 1000 - time.monotonic()))
        if slow:
            assert fault is not None
            await asyncio.sleep(fault.delay_ms / 1000)
        if provider == "graph" and "request-id" not in answer.headers:
            request_id = str(uuid.uuid4())
            answer.headers.update({"request-id": request_id, "client-request-id": request_id})
        self.state.log.add(
            LoggedRequest(method, path, query, len(body), "http", answer.status, refused)
        )
        if refused:
            log.warning("sandbox.write_refused", method=method, path=path)
        await _send(send, answer)

    def _route(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, root: str
    ) -> tuple[Callable[[], Reply], str, str, bool]:
        """(deferred reply, provider, path below the provider base, refused?)."""
        state = self.state

        def req(base: str, sub: str) -> Req:
            return Req(method, sub, Req.parse_query(query), headers, body, root + base)

        if path == "/_sandbox/log" and method == "GET":
            return (lambda: Reply(200, [asdict(e) for e in state.log.entries()])), "", "", False
        if path.startswith(GRAPH + "/") or path == GRAPH:
            sub = path[len(GRAPH) :] or "/"
            if method == "GET":
                return (lambda: graph_api.dispatch(state, req(GRAPH, sub))), "graph", sub, False
            if method == "POST" and sub == "/$batch" and _graph_batch_reads(body):
                return (lambda: graph_api.batch(state, req(GRAPH, sub))), "graph", sub, False
            status = 403 if sub == "/$batch" else 405
            return (
                (
                    lambda: graph_error(
                        status, "Request_BadRequest", "The sandbox tenant is read-only."
                    )
                ),
                "graph",
                sub,
                True,
            )
        match = LOGIN_TOKEN.match(path)
        if match is not None and method == "POST":
            tenant = match.group("tenant")
            return (
                (lambda: graph_auth.token(state, tenant, req("/login", path))),
                "login",
                path[len("/login") :],
                False,
            )
        if path == "/google/token" and method == "POST":
            return (
                (lambda: gauth.token(state, req("/google", "/token"), root + path)),
                "google",
                "/token",
                False,
            )
        if path == "/google/batch" and method == "POST":
            kind = headers.get("content-type", "")
            methods = google_api.batch_methods(body, kind)
            if methods and all(m == "GET" for m in methods):
                return (
                    (lambda: google_api.batch(state, req("/google", "/batch"), kind)),
                    "google",
                    "/batch",
                    False,
                )
            return (
                (lambda: google_error(403, "forbidden", "The sandbox tenant is read-only.")),
                "google",
                "/batch",
                True,
            )
        for prefix in GOOGLE_APIS:
            if path.startswith(prefix + "/"):
                return self._google_api(method, prefix, path[len(prefix) :], req)
        refused = method not in ("GET", "HEAD")
        status = 405 if refused else 404
        return (
            (
                lambda: Reply(
                    status,
                    {
                        "error": {
                            "code": "NotFound" if status == 404 else "MethodNotAllowed",
                            "message": path,
                        }
                    },
                )
            ),
            "",
            path,
            refused,
        )

    def _google_api(
        self, method: str, prefix: str, sub: str, req: Callable[[str, str], Req]
    ) -> tuple[Callable[[], Reply], str, str, bool]:
        state = self.state
        if method == "GET":
            return (lambda: google_api.dispatch(state, req(prefix, sub))), "google", sub, False
        refuse = google_error(405, "methodNotAllowed", "The sandbox tenant is read-only.")
        return (lambda: refuse), "google", sub, True


def _graph_batch_reads(body: bytes) -> bool:
    try:
        items = orjson.loads(body)["requests"]
    except (ValueError, KeyError, TypeError):
        return True  # malformed: answered 400 by the batch handler, nothing is written
    if not isinstance(items, list):
        return True
    return all(
        isinstance(i, dict) and str(i.get("method", "GET")).upper() == "GET" and "body" not in i
        for i in items
    )


def _faulted(fault: Fault, provider: str) -> Reply:
    google = provider == "google"
    if fault.kind == "throttle":
        return google_throttled(fault.retry_after) if google else graph_throttled(fault.retry_after)
    if fault.kind == "unavailable":
        return unavailable(provider)
    if fault.kind == "unauthorized":
        if google:
            return google_unauthenticated()
        return graph_error(
            401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
        )
    if fault.kind == "rate_limit_403":
        return google_rate_403()
    if fault.kind == "malformed":
        return Reply(200, b'{"value": [{"id": "trunc', content_type="application/json")
    return Reply(200, b'{"value": [', reset=True)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _send(send: Send, reply: Reply) -> None:
    body = reply.body()
    headers = [(b"content-type", reply.content_type.encode())]
    headers += [(k.lower().encode(), str(v).encode()) for k, v in reply.headers.items()]
    if reply.reset:
        # Declare more than is sent and stop: the server drops the connection mid-response.
        headers.append((b"content-length", str(len(body) + 100).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": True})
        return
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(state: SandboxState) -> Starlette:
    """The Starlette application serving ``state``'s tenants."""
    return Starlette(routes=[Mount("/", app=SandboxASGI(state))])
