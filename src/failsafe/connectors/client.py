"""Build the guarded httpx client for a scan from the settings."""

from __future__ import annotations

import ssl
from functools import cache

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


@cache
def tls_context() -> ssl.SSLContext:
    """The process's one TLS context (httpx's defaults: certifi, or ``SSL_CERT_FILE``/``_DIR``).

    Loading the CA bundle costs 20-60 ms; a context per scan made every scan pay it before its
    first request. A context is safe to share between clients and connections.
    """
    return httpx.create_ssl_context()


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
            verify=tls_context(),
        ),
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=settings.http_timeout_seconds,
        follow_redirects=False,
        headers={"User-Agent": "FailSafe-scanner/0.1 (read-only)"},
    )
