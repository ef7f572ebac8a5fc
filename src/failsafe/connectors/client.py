"""Build the guarded httpx client for a scan from the settings."""

from __future__ import annotations

import httpx

from failsafe.connectors.guard import ReadGuard, ReadOnlyTransport
from failsafe.settings import Settings


def read_guard(settings: Settings) -> ReadGuard:
    """The guard for every endpoint the settings point at."""
    return ReadGuard(
        token_urls=(settings.microsoft_login_base_url, settings.google_token_uri),
        graph_batch_urls=(settings.graph_base_url.rstrip("/") + "/$batch",),
        google_batch_urls=(settings.google_batch_url,),
    )


def build_client(
    settings: Settings, inner: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """An async client whose every request passes the read-only guard.

    ``inner`` lets tests put a mock or recording transport under the guard, never beside it.
    """
    transport = ReadOnlyTransport(
        read_guard(settings),
        inner
        or httpx.AsyncHTTPTransport(
            limits=httpx.Limits(
                max_connections=settings.scan_concurrency + 4,
                max_keepalive_connections=settings.scan_concurrency + 4,
            ),
            retries=0,
        ),
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=settings.http_timeout_seconds,
        follow_redirects=False,
        headers={"User-Agent": "FailSafe-scanner/0.1 (read-only)"},
    )
