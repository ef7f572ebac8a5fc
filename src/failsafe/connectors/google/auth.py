"""Service-account JWT bearer tokens (domain-wide delegation), one per subject and scope.

google-auth builds and signs the assertion (``service_account.Credentials`` with the configured
``token_uri`` and ``with_subject``); the token POST itself goes through the guarded tenant HTTP
client so it shares retries, timeouts and the read-only guard with every other request.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from google.auth import jwt
from google.oauth2 import service_account

from failsafe.connectors.errors import AccessDenied
from failsafe.connectors.http import TenantHttp, decode_json, require_json

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REFRESH_MARGIN_SECONDS = 120
ASSERTION_LIFETIME = 3600


@dataclass(frozen=True)
class GoogleCredentials:
    """A service-account key and the admin it impersonates (opened only inside a scan)."""

    info: dict[str, Any]
    admin_email: str

    def __repr__(self) -> str:
        return f"GoogleCredentials(client_email={self.info.get('client_email')!r})"

    def signer_for(self, token_uri: str, subject: str) -> service_account.Credentials:
        """Credentials impersonating ``subject``; the key is parsed once per token URI."""
        base = self._base(token_uri)
        delegated: service_account.Credentials = base.with_subject(subject)  # type: ignore[no-untyped-call]
        return delegated

    def _base(self, token_uri: str) -> service_account.Credentials:
        # Parsing the RSA key costs ~50 ms; a tenant mints one token per mailbox.
        cache: dict[str, service_account.Credentials] = self.__dict__.setdefault("_parsed", {})
        if token_uri not in cache:
            make = service_account.Credentials.from_service_account_info
            # The configured token URI always wins over the key file's own.
            cache[token_uri] = make({**self.info, "token_uri": token_uri})  # type: ignore[no-untyped-call]
        return cache[token_uri]


class GoogleToken:
    """A :class:`~failsafe.connectors.http.TokenSource` for one subject and scope set."""

    def __init__(
        self, credentials: GoogleCredentials, token_uri: str, subject: str, scopes: tuple[str, ...]
    ) -> None:
        self._signer = credentials.signer_for(token_uri, subject)
        self._token_uri = token_uri
        self._subject = subject
        self._scopes = scopes
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self, http: TenantHttp) -> str:
        async with self._lock:  # concurrent requests share one renewal
            if self._token is None or time.monotonic() >= self._expires_at - REFRESH_MARGIN_SECONDS:
                await self._mint(http)
            assert self._token is not None
            return self._token

    def invalidate(self, rejected: str) -> None:
        if rejected == self._token:
            self._token = None

    def _assertion(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self._signer.service_account_email,
            "sub": self._subject,
            "scope": " ".join(self._scopes),
            "aud": self._token_uri,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
        }
        encoded: bytes = jwt.encode(self._signer.signer, claims)  # type: ignore[no-untyped-call]
        return encoded.decode()

    async def _mint(self, http: TenantHttp) -> None:
        try:
            response = await http.send(
                "POST",
                self._token_uri,
                data={"grant_type": JWT_BEARER, "assertion": self._assertion()},
                accept=require_json,
            )
        except AccessDenied as exc:
            # unauthorized_client: the client id is not allowed these scopes in the Admin
            # console's domain-wide delegation list.
            raise AccessDenied(f"token for {' '.join(self._scopes)} refused: {exc.reason}") from exc
        payload = decode_json(response)
        token = payload.get("access_token")
        if not isinstance(token, str) or not token:
            raise AccessDenied("the Google token endpoint returned no access token")
        self._token = token
        self._expires_at = time.monotonic() + float(payload.get("expires_in", 3599))
