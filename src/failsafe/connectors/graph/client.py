"""Graph requests: list paging, single objects and JSON ``$batch`` of GETs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from failsafe.connectors.errors import UnexpectedResponse
from failsafe.connectors.http import TenantHttp, TokenSource

BATCH_LIMIT = 20  # Graph accepts at most 20 requests per $batch


@dataclass(frozen=True)
class BatchReply:
    """One item of a ``$batch`` response."""

    id: str
    status: int
    body: dict[str, Any]
    retry_after: float | None


class GraphClient:
    """Graph for one tenant over the guarded tenant HTTP client."""

    def __init__(self, http: TenantHttp, token: TokenSource, base_url: str) -> None:
        self.http = http
        self.token = token
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url + path

    def relative(self, url: str) -> str:
        """A nextLink made relative for use inside ``$batch``."""
        if url.startswith(self.base_url):
            return url[len(self.base_url) :]
        parsed = httpx.URL(url)
        # Graph's nextLinks carry the version segment; $batch URLs must not.
        path = parsed.raw_path.decode()
        version = httpx.URL(self.base_url).path.rstrip("/")
        return path[len(version) :] if version and path.startswith(version) else path

    async def get(
        self, path: str, params: Mapping[str, str] | None = None, **headers: str
    ) -> dict[str, Any]:
        """One JSON object (a single resource such as the authorization policy)."""
        return await self.http.get_json(
            self.url(path), params=params, auth=self.token, headers=headers
        )

    async def pages(
        self, path: str, params: Mapping[str, str] | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Each page's ``value`` in turn, following ``@odata.nextLink`` verbatim."""
        url: str | None = self.url(path)
        query: Mapping[str, str] | None = params
        while url is not None:
            payload = await self.http.get_json(url, params=query, auth=self.token)
            yield _values(payload, path)
            next_link = payload.get("@odata.nextLink")
            url, query = (next_link if isinstance(next_link, str) else None), None

    async def batch(self, requests: Sequence[tuple[str, str]]) -> list[BatchReply]:
        """Send up to 20 ``(id, relative url)`` GETs as one ``$batch``."""
        assert 0 < len(requests) <= BATCH_LIMIT
        body = {"requests": [{"id": rid, "method": "GET", "url": url} for rid, url in requests]}
        payload = await self.http.send_json(
            "POST",
            self.url("/$batch"),
            auth=self.token,
            content=orjson.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        return [_reply(item) for item in payload.get("responses", [])]


def _values(payload: dict[str, Any], path: str) -> list[dict[str, Any]]:
    value = payload.get("value")
    if not isinstance(value, list):
        raise UnexpectedResponse(f"page from {path} has no value list")
    return [item for item in value if isinstance(item, dict)]


def _reply(item: Any) -> BatchReply:
    if not isinstance(item, dict) or "id" not in item:
        raise UnexpectedResponse("malformed $batch response item")
    headers = item.get("headers") or {}
    retry_after: float | None = None
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is not None:
        try:
            retry_after = float(value)
        except ValueError:
            retry_after = None
    body = item.get("body")
    return BatchReply(
        id=str(item["id"]),
        status=int(item.get("status", 0)),
        body=body if isinstance(body, dict) else {},
        retry_after=retry_after,
    )


def values_of(reply: BatchReply) -> list[dict[str, Any]]:
    """The ``value`` list of a successful batch item."""
    return _values(reply.body, "$batch item")


def error_code(reply: BatchReply) -> str | None:
    error = reply.body.get("error")
    return str(error.get("code")) if isinstance(error, dict) and error.get("code") else None
