"""The one place that decides what may leave the process: reads only.

Every HTTP client the connectors use is built on :class:`ReadOnlyTransport`, token requests
included (google-auth signs the Google assertion; the POST goes through here). Allowed are GET;
POST to a configured token endpoint; POST of a Graph JSON ``$batch`` whose inner requests are
all GET; POST of a Google HTTP batch whose parts are all GET. Anything else raises
:class:`WriteRefused` before a byte is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx
import orjson

from failsafe.connectors.errors import WriteRefused

_PART_REQUEST_LINE = re.compile(rb"^(?P<method>[A-Z]+) (?P<path>\S+) HTTP/1\.1\r?$", re.MULTILINE)


class ReadGuard:
    """Checks one request against the read-only policy."""

    def __init__(
        self,
        token_urls: Iterable[str],
        graph_batch_urls: Iterable[str],
        google_batch_urls: Iterable[str],
    ) -> None:
        self._token_prefixes = tuple(token_urls)
        self._graph_batch = {url.rstrip("/") for url in graph_batch_urls}
        self._google_batch = {url.rstrip("/") for url in google_batch_urls}

    def check(self, request: httpx.Request) -> None:
        """Raise :class:`WriteRefused` unless ``request`` only reads."""
        method = request.method.upper()
        if method == "GET":
            return
        if method != "POST":
            raise WriteRefused(f"{method} is never sent to a tenant")
        url = str(request.url.copy_with(query=None)).rstrip("/")
        if url.startswith(self._token_prefixes) and _is_token_request(url):
            return
        if url in self._graph_batch:
            _check_graph_batch(request.content)
            return
        if url in self._google_batch:
            _check_google_batch(request.content)
            return
        raise WriteRefused(f"POST to {request.url.host}{request.url.path} is not a read")


def _is_token_request(url: str) -> bool:
    # Microsoft: .../{tenant}/oauth2/v2.0/token; Google: the configured token URI itself.
    return url.endswith("/token")


def _check_graph_batch(body: bytes) -> None:
    try:
        payload = orjson.loads(body)
        requests = payload["requests"]
    except (ValueError, KeyError, TypeError) as exc:
        raise WriteRefused("a Graph $batch body that cannot be checked is not sent") from exc
    if not isinstance(requests, list) or not 0 < len(requests) <= 20:
        raise WriteRefused("a Graph $batch holds 1 to 20 requests")
    for item in requests:
        if not isinstance(item, dict) or str(item.get("method", "")).upper() != "GET":
            raise WriteRefused("a Graph $batch may contain only GET requests")
        if "body" in item:
            raise WriteRefused("a Graph $batch GET carries no body")


def _check_google_batch(body: bytes) -> None:
    methods = [match.group("method") for match in _PART_REQUEST_LINE.finditer(body)]
    if not methods or len(methods) > 100:
        raise WriteRefused("a Google batch holds 1 to 100 requests")
    if any(method != b"GET" for method in methods):
        raise WriteRefused("a Google batch may contain only GET requests")
    # Every part must have been counted: one request line per application/http part.
    if body.count(b"Content-Type: application/http") != len(methods):
        raise WriteRefused("a Google batch part without a readable request line is not sent")


class ReadOnlyTransport(httpx.AsyncBaseTransport):
    """An async transport that checks every request with the guard before sending it."""

    def __init__(self, guard: ReadGuard, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._guard.check(request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
