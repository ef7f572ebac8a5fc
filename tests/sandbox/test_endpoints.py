"""Endpoint details the connectors rely on: filters, partial responses, batches, mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from failsafe.sandbox import Sandbox
from failsafe.sandbox.catalog import GRAPH_APP_ID
from failsafe.sandbox.people import email, object_id, person
from tests.sandbox.helpers import SCOPE, google_token, graph_get, graph_pages, graph_token


def test_service_principal_filter_by_app_id(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    body = graph_get(
        sandbox,
        client,
        token,
        "/servicePrincipals",
        {"$filter": f"appId eq '{GRAPH_APP_ID}'", "$select": "id,appRoles"},
    ).json()
    assert len(body["value"]) == 1
    assert any(r["value"] == "Mail.ReadWrite" for r in body["value"][0]["appRoles"])


def test_sign_ins_filtered_by_date(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    since = datetime.now(UTC) - timedelta(days=3)
    params = {"$filter": f"createdDateTime ge {since:%Y-%m-%dT%H:%M:%SZ}", "$top": "50"}
    events = [
        e for p in graph_pages(sandbox, client, token, "/auditLogs/signIns", params) for e in p
    ]
    stamps = [e["createdDateTime"] for e in events]
    assert events and stamps == sorted(stamps, reverse=True)
    assert all(s >= f"{since:%Y-%m-%dT%H:%M:%SZ}" for s in stamps)
    legacy = {e["clientAppUsed"] for e in events} - {"Browser", "Mobile Apps and Desktop clients"}
    assert legacy == {"IMAP4"}


def test_messages_hide_subjects_unless_selected(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    user = object_id(sandbox.spec, "microsoft", 17)
    plain = graph_get(
        sandbox,
        client,
        token,
        f"/users/{user}/messages",
        {"$select": "from,receivedDateTime", "$top": "2"},
    ).json()
    assert all("subject" not in m and "body" not in m for m in plain["value"])
    assert "$skip=2" in plain["@odata.nextLink"]
    assert sandbox.state.mail_content_requests == []
    graph_get(sandbox, client, token, f"/users/{user}/messages", {"$select": "subject"})
    assert sandbox.state.mail_content_requests


def test_google_fields_partial_response(sandbox: Sandbox, client: httpx.Client) -> None:
    token = google_token(sandbox, client, scopes=[SCOPE + "admin.directory.user.readonly"])
    url = sandbox.settings_overrides()["google_admin_base_url"] + "/admin/directory/v1/users"
    body = client.get(
        url,
        params={
            "customer": "my_customer",
            "maxResults": "500",
            "fields": "nextPageToken,users(id,name/fullName)",
        },
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert "nextPageToken" not in body  # 120 users fit in one page of 500
    assert {frozenset(u) for u in body["users"]} == {frozenset({"id", "name"})}
    assert set(body["users"][0]["name"]) == {"fullName"}


def test_gmail_batch_of_metadata_gets(sandbox: Sandbox, client: httpx.Client) -> None:
    user = email(sandbox.spec, "google", person(sandbox.spec, "google", 18))
    token = google_token(sandbox, client, user, [SCOPE + "gmail.metadata"])
    base = sandbox.settings_overrides()["google_gmail_base_url"]
    listed = client.get(
        f"{base}/gmail/v1/users/{user}/messages", headers={"Authorization": f"Bearer {token}"}
    ).json()["messages"]
    parts = "".join(
        f"--b\r\nContent-Type: application/http\r\nContent-ID: <item{n}>\r\n\r\n"
        f"GET /gmail/v1/users/{user}/messages/{m['id']}?format=metadata"
        "&metadataHeaders=From&metadataHeaders=Date HTTP/1.1\r\n\r\n\r\n"
        for n, m in enumerate(listed)
    )
    response = client.post(
        sandbox.settings_overrides()["google_batch_url"],
        content=parts + "--b--\r\n",
        headers={"Content-Type": "multipart/mixed; boundary=b", "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.text.count("HTTP/1.1 200 OK") == len(listed)
    assert "billing@slack.com" in response.text and "Subject" not in response.text


def test_gmail_history_after_a_known_id(sandbox: Sandbox, client: httpx.Client) -> None:
    user = email(sandbox.spec, "google", person(sandbox.spec, "google", 17))
    token = google_token(sandbox, client, user, [SCOPE + "gmail.metadata"])
    base = sandbox.settings_overrides()["google_gmail_base_url"]
    headers = {"Authorization": f"Bearer {token}"}
    latest = client.get(
        f"{base}/gmail/v1/users/me/history", params={"startHistoryId": "100000"}, headers=headers
    ).json()
    assert latest["history"] and int(latest["historyId"]) > 100000
    again = client.get(
        f"{base}/gmail/v1/users/me/history",
        params={"startHistoryId": latest["historyId"]},
        headers=headers,
    ).json()
    assert "history" not in again


def test_licensing_needs_customer_id(sandbox: Sandbox, client: httpx.Client) -> None:
    token = google_token(sandbox, client, scopes=[SCOPE + "apps.licensing"])
    url = (
        sandbox.settings_overrides()["google_licensing_base_url"]
        + "/apps/licensing/v1/product/Google-Apps/users"
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=headers).status_code == 400
    body = client.get(
        url,
        params={"customerId": sandbox.google().customer_id, "maxResults": "1000"},
        headers=headers,
    ).json()
    assert body["items"][0]["skuId"] == "1010020028"


def test_users_delta_ends_with_a_delta_link(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    headers = {"Authorization": f"Bearer {token}"}
    response = graph_get(sandbox, client, token, "/users/delta", {"$select": "displayName"})
    seen = []
    while True:
        body = response.json()
        seen += [u["id"] for u in body["value"]]
        if "@odata.deltaLink" in body:
            break
        response = client.get(body["@odata.nextLink"], headers=headers)
    assert len(set(seen)) == sandbox.spec.users
    later = client.get(body["@odata.deltaLink"], headers=headers).json()
    assert later["value"] == [] and "@odata.deltaLink" in later


def test_users_count_needs_eventual_consistency(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    url = sandbox.settings_overrides()["graph_base_url"] + "/users/$count"
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=auth).status_code == 400
    counted = client.get(url, headers={**auth, "ConsistencyLevel": "eventual"})
    assert counted.text == str(sandbox.spec.users)
