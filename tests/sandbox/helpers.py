"""Small clients for sandbox tests: real HTTP over loopback, no mocks."""

from __future__ import annotations

import time
from typing import Any

import httpx
from google.auth import crypt, jwt

from failsafe.sandbox import Sandbox
from failsafe.sandbox.spec import GOOGLE_DELEGATED_SCOPES

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/"


def graph_token(sandbox: Sandbox, client: httpx.Client) -> str:
    ms = sandbox.microsoft()
    urls = sandbox.settings_overrides()
    response = client.post(
        f"{urls['microsoft_login_base_url']}/{ms.tenant_id}/oauth2/v2.0/token",
        data={
            "client_id": ms.client_id,
            "client_secret": ms.client_secret,
            "scope": "https://graph.microsoft.com/.default",
            "grant_type": "client_credentials",
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def graph_get(
    sandbox: Sandbox,
    client: httpx.Client,
    token: str,
    path: str,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    url = sandbox.settings_overrides()["graph_base_url"] + path
    return client.get(url, params=params, headers={"Authorization": f"Bearer {token}"})


def graph_pages(
    sandbox: Sandbox,
    client: httpx.Client,
    token: str,
    path: str,
    params: dict[str, str] | None = None,
) -> list[list[dict[str, Any]]]:
    """Every page, following @odata.nextLink verbatim."""
    pages = []
    response = graph_get(sandbox, client, token, path, params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["value"])
        link = body.get("@odata.nextLink")
        if not link:
            return pages
        response = client.get(link, headers={"Authorization": f"Bearer {token}"})


def assertion(
    sandbox: Sandbox,
    subject: str,
    scopes: list[str],
    *,
    key_pem: str | None = None,
    lifetime: int = 3600,
) -> str:
    """A service-account JWT signed with google-auth's crypt module."""
    account = sandbox.google().service_account
    signer = crypt.RSASigner.from_string(
        key_pem or account["private_key"], account["private_key_id"]
    )
    now = int(time.time())
    claims = {
        "iss": account["client_email"],
        "sub": subject,
        "scope": " ".join(scopes),
        "aud": sandbox.settings_overrides()["google_token_uri"],
        "iat": now,
        "exp": now + lifetime,
    }
    return bytes(jwt.encode(signer, claims)).decode()  # type: ignore[no-untyped-call]


def google_token_response(
    sandbox: Sandbox, client: httpx.Client, subject: str, scopes: list[str], **kwargs: Any
) -> httpx.Response:
    return client.post(
        sandbox.settings_overrides()["google_token_uri"],
        data={"grant_type": JWT_BEARER, "assertion": assertion(sandbox, subject, scopes, **kwargs)},
    )


def google_token(
    sandbox: Sandbox,
    client: httpx.Client,
    subject: str | None = None,
    scopes: list[str] | None = None,
) -> str:
    response = google_token_response(
        sandbox,
        client,
        subject or sandbox.google().admin_email,
        scopes or list(GOOGLE_DELEGATED_SCOPES),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
