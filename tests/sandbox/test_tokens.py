"""Token lifetimes and expiry mid-scan, without waiting."""

from __future__ import annotations

import httpx

from failsafe.sandbox import Sandbox, TenantSpec, running_sandbox
from tests.sandbox.helpers import google_token, graph_get, graph_token


def test_expired_graph_token_answers_401(client: httpx.Client) -> None:
    with running_sandbox(TenantSpec(seed=1, users=3), token_lifetime=60) as sandbox:
        token = graph_token(sandbox, client)
        assert graph_get(sandbox, client, token, "/organization").status_code == 200
        sandbox.advance(61)
        expired = graph_get(sandbox, client, token, "/organization")
        assert expired.status_code == 401
        assert expired.json()["error"]["code"] == "InvalidAuthenticationToken"
        fresh = graph_token(sandbox, client)
        assert graph_get(sandbox, client, fresh, "/organization").status_code == 200


def test_token_response_fields(sandbox: Sandbox, client: httpx.Client) -> None:
    ms = sandbox.microsoft()
    url = (
        f"{sandbox.settings_overrides()['microsoft_login_base_url']}/{ms.domain}/oauth2/v2.0/token"
    )
    ok = client.post(
        url,
        data={
            "client_id": ms.client_id,
            "client_secret": ms.client_secret,
            "scope": "https://graph.microsoft.com/.default",
            "grant_type": "client_credentials",
        },
    ).json()
    assert set(ok) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    bad = client.post(
        url,
        data={
            "client_id": ms.client_id,
            "client_secret": "wrong",
            "scope": "https://graph.microsoft.com/.default",
            "grant_type": "client_credentials",
        },
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"


def test_expire_tokens_revokes_google_tokens_too(client: httpx.Client) -> None:
    with running_sandbox(TenantSpec(seed=1, users=3)) as sandbox:
        token = google_token(sandbox, client)
        url = sandbox.settings_overrides()["google_admin_base_url"] + "/admin/directory/v1/users"
        headers = {"Authorization": f"Bearer {token}"}
        params = {"customer": "my_customer"}
        assert client.get(url, params=params, headers=headers).status_code == 200
        sandbox.expire_tokens()
        response = client.get(url, params=params, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["errors"][0]["reason"] == "authError"


def test_tokens_are_per_tenant(client: httpx.Client) -> None:
    first, second = TenantSpec(seed=21, users=3), TenantSpec(seed=22, users=4)
    with running_sandbox(first, second) as sandbox:
        for spec in (first, second):
            ms = sandbox.microsoft(spec)
            url = f"{sandbox.settings_overrides()['microsoft_login_base_url']}/{ms.tenant_id}"
            token = client.post(
                url + "/oauth2/v2.0/token",
                data={
                    "client_id": ms.client_id,
                    "client_secret": ms.client_secret,
                    "scope": "https://graph.microsoft.com/.default",
                    "grant_type": "client_credentials",
                },
            ).json()["access_token"]
            org = graph_get(sandbox, client, token, "/organization").json()["value"][0]
            assert org["id"] == ms.tenant_id
            users = graph_get(sandbox, client, token, "/users").json()["value"]
            assert len(users) == spec.users
