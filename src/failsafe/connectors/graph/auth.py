"""App-only Graph token via the OAuth 2.0 client-credentials grant, refreshed before expiry."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from failsafe.connectors.errors import AccessDenied
from failsafe.connectors.http import TenantHttp, decode_json, require_json

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
REFRESH_MARGIN_SECONDS = 120  # renew this long before expiry so a page never carries a stale one


@dataclass(frozen=True)
class GraphCredentials:
    """What a Microsoft connection needs to mint tokens (opened only inside a scan)."""

    tenant_id: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"GraphCredentials(tenant_id={self.tenant_id!r}, client_id={self.client_id!r})"


class GraphToken:
    """A :class:`~failsafe.connectors.http.TokenSource` for one tenant."""

    def __init__(self, credentials: GraphCredentials, login_base_url: str) -> None:
        self._credentials = credentials
        self._url = f"{login_base_url.rstrip('/')}/{credentials.tenant_id}/oauth2/v2.0/token"
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.minted = 0

    async def token(self, http: TenantHttp) -> str:
        """A valid access token, minting a new one when the cached one is near expiry."""
        async with self._lock:  # concurrent requests share one renewal
            if self._token is None or time.monotonic() >= self._expires_at - REFRESH_MARGIN_SECONDS:
                await self._mint(http)
            assert self._token is not None
            return self._token

    def invalidate(self, rejected: str) -> None:
        if rejected == self._token:
            self._token = None

    async def _mint(self, http: TenantHttp) -> None:
        response = await http.send(
            "POST",
            self._url,
            data={
                "client_id": self._credentials.client_id,
                "client_secret": self._credentials.client_secret,
                "scope": GRAPH_SCOPE,
                "grant_type": "client_credentials",
            },
            accept=require_json,
        )
        payload = decode_json(response)
        token = payload.get("access_token")
        if not isinstance(token, str) or not token:
            raise AccessDenied("the Microsoft token endpoint returned no access token")
        self._token = token
        self._expires_at = time.monotonic() + float(payload.get("expires_in", 3599))
        self.minted += 1
