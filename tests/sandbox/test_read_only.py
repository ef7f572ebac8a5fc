"""Non-reads are refused and recorded; reads are logged with method, path, query, size."""

from __future__ import annotations

import json

import httpx

from failsafe.sandbox import Sandbox
from tests.sandbox.helpers import graph_token


def test_writes_are_refused_and_recorded(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    urls = sandbox.settings_overrides()
    auth = {"Authorization": f"Bearer {token}"}
    before = len(sandbox.log.refused())
    attempts = [
        client.patch(
            urls["graph_base_url"] + "/users/x", json={"accountEnabled": False}, headers=auth
        ),
        client.delete(urls["graph_base_url"] + "/oauth2PermissionGrants/abc", headers=auth),
        client.post(urls["graph_base_url"] + "/users", json={}, headers=auth),
        client.post(urls["google_admin_base_url"] + "/admin/directory/v1/users", json={}),
        client.put(urls["google_gmail_base_url"] + "/gmail/v1/users/me/messages/1", json={}),
    ]
    assert all(r.status_code in (403, 405) for r in attempts)
    refused = sandbox.log.refused()[before:]
    assert [e.method for e in refused] == ["PATCH", "DELETE", "POST", "POST", "PUT"]
    assert refused[0].path == "/graph/v1.0/users/x" and refused[0].body_size > 0


def test_batch_with_a_write_is_refused(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    body = {
        "requests": [
            {"id": "1", "method": "GET", "url": "/users"},
            {"id": "2", "method": "DELETE", "url": "/users/x"},
        ]
    }
    response = client.post(
        sandbox.settings_overrides()["graph_base_url"] + "/$batch",
        content=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 403
    assert sandbox.log.refused()[-1].path == "/graph/v1.0/$batch"


def test_google_batch_with_a_write_is_refused(sandbox: Sandbox, client: httpx.Client) -> None:
    body = (
        "--b\r\nContent-Type: application/http\r\n\r\nDELETE /gmail/v1/users/me/messages/1 "
        "HTTP/1.1\r\n\r\n\r\n--b--\r\n"
    )
    response = client.post(
        sandbox.settings_overrides()["google_batch_url"],
        content=body,
        headers={"Content-Type": "multipart/mixed; boundary=b"},
    )
    assert response.status_code == 403
    assert sandbox.log.refused()[-1].path == "/google/batch"


def test_reads_are_logged(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    client.get(
        sandbox.settings_overrides()["graph_base_url"] + "/organization",
        params={"$select": "id"},
        headers={"Authorization": f"Bearer {token}"},
    )
    last = sandbox.log.entries()[-1]
    assert (last.method, last.path, last.query, last.status) == (
        "GET",
        "/graph/v1.0/organization",
        "%24select=id",
        200,
    )
    assert not last.refused
