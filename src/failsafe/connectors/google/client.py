"""Google API requests: tokens per (subject, scope) and ``nextPageToken`` paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from failsafe.connections.manifest import google_scope
from failsafe.connectors.errors import UnexpectedResponse
from failsafe.connectors.google.auth import GoogleCredentials, GoogleToken
from failsafe.connectors.http import TenantHttp, TokenSource
from failsafe.settings import Settings


class GoogleClient:
    """Google Workspace APIs for one customer over the guarded tenant HTTP client."""

    def __init__(
        self, http: TenantHttp, credentials: GoogleCredentials, settings: Settings
    ) -> None:
        self.http = http
        self.credentials = credentials
        self.token_uri = settings.google_token_uri
        self.admin_base = settings.google_admin_base_url.rstrip("/")
        self.licensing_base = settings.google_licensing_base_url.rstrip("/")
        self.gmail_base = settings.google_gmail_base_url.rstrip("/")
        self.batch_url = settings.google_batch_url
        self._tokens: dict[tuple[str, str], GoogleToken] = {}

    def admin_token(self, scope: str) -> GoogleToken:
        """A token as the delegated admin for one manifest scope (cached)."""
        return self.token(self.credentials.admin_email, scope)

    def token(self, subject: str, scope: str) -> GoogleToken:
        key = (subject, scope)
        if key not in self._tokens:
            self._tokens[key] = GoogleToken(
                self.credentials, self.token_uri, subject, (google_scope(scope),)
            )
        return self._tokens[key]

    def mailbox_token(self, subject: str) -> GoogleToken:
        """A fresh token impersonating one mailbox owner (not cached: one per mailbox)."""
        return GoogleToken(
            self.credentials, self.token_uri, subject, (google_scope("gmail.metadata"),)
        )

    async def pages(
        self, url: str, params: Mapping[str, str], items_key: str, auth: TokenSource
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Each page's items, following ``nextPageToken``."""
        token: str | None = None
        while True:
            query = dict(params)
            if token:
                query["pageToken"] = token
            payload = await self.http.get_json(url, params=query, auth=auth)
            items = payload.get(items_key, [])  # Google omits the key on an empty page
            if not isinstance(items, list):
                raise UnexpectedResponse(f"page from {url} has a malformed {items_key}")
            yield [item for item in items if isinstance(item, dict)]
            next_token = payload.get("nextPageToken")
            if not isinstance(next_token, str) or not next_token:
                return
            token = next_token
