"""Graph /users paging, $top caps and $select, at several tenant sizes."""

from __future__ import annotations

import httpx
import pytest

from failsafe.sandbox import Sandbox, TenantSpec, running_sandbox
from tests.sandbox.helpers import graph_get, graph_pages, graph_token

SELECT = "id,displayName,userPrincipalName,accountEnabled,userType,assignedLicenses"


@pytest.mark.parametrize(("users", "top"), [(1, None), (7, "3"), (1000, "999"), (2501, "999")])
def test_every_user_exactly_once(users: int, top: str | None, client: httpx.Client) -> None:
    with running_sandbox(TenantSpec(seed=3, users=users)) as sandbox:
        token = graph_token(sandbox, client)
        params = {"$select": SELECT} | ({"$top": top} if top else {})
        pages = graph_pages(sandbox, client, token, "/users", params)
    ids = [u["id"] for page in pages for u in page]
    assert len(ids) == users
    assert len(set(ids)) == users
    expected = min(int(top or 100), 999)
    assert all(len(page) == expected for page in pages[:-1])


def test_sign_in_activity_caps_pages_at_500(client: httpx.Client) -> None:
    with running_sandbox(TenantSpec(seed=4, users=1200)) as sandbox:
        token = graph_token(sandbox, client)
        pages = graph_pages(
            sandbox, client, token, "/users", {"$select": "id,signInActivity", "$top": "999"}
        )
    assert [len(p) for p in pages] == [500, 500, 200]
    assert "lastSignInDateTime" in pages[0][0]["signInActivity"]


def test_default_properties_without_select(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    user = graph_get(sandbox, client, token, "/users").json()["value"][0]
    assert "userPrincipalName" in user and "displayName" in user
    for hidden in (
        "accountEnabled",
        "userType",
        "createdDateTime",
        "signInActivity",
        "assignedLicenses",
    ):
        assert hidden not in user


def test_select_returns_only_selected(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    body = graph_get(sandbox, client, token, "/users", {"$select": "id,userType"}).json()
    assert {frozenset(u) for u in body["value"]} == {frozenset({"id", "userType"})}
    bad = graph_get(sandbox, client, token, "/users", {"$select": "id,nonsense"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "Request_BadRequest"


def test_next_link_is_opaque_and_keeps_the_query(sandbox: Sandbox, client: httpx.Client) -> None:
    token = graph_token(sandbox, client)
    body = graph_get(sandbox, client, token, "/users", {"$select": "id", "$top": "10"}).json()
    link = httpx.URL(body["@odata.nextLink"])
    assert link.params["$select"] == "id" and link.params["$top"] == "10"
    assert not link.params["$skiptoken"].isdigit()
