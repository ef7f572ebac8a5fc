"""Permission checks: ungranted app roles, non-premium tenants, Google delegation."""

from __future__ import annotations

import httpx

from failsafe.sandbox import Sandbox, TenantSpec, running_sandbox
from tests.sandbox.helpers import (
    SCOPE,
    google_token,
    google_token_response,
    graph_get,
    graph_token,
)

NO_AUDIT = ("Organization.Read.All", "User.Read.All", "Application.Read.All")


def test_missing_app_role_answers_authorization_denied(client: httpx.Client) -> None:
    with running_sandbox(TenantSpec(seed=2, users=5, granted_roles=NO_AUDIT)) as sandbox:
        token = graph_token(sandbox, client)
        assert graph_get(sandbox, client, token, "/users").status_code == 200
        for path in (
            "/auditLogs/signIns",
            "/oauth2PermissionGrants",
            "/directoryRoles",
            "/policies/authorizationPolicy",
        ):
            response = graph_get(sandbox, client, token, path)
            assert response.status_code == 403, path
            assert response.json()["error"]["code"] == "Authorization_RequestDenied"
        response = graph_get(sandbox, client, token, "/users", {"$select": "id,signInActivity"})
        assert response.json()["error"]["code"] == "Authorization_RequestDenied"


def test_non_premium_tenant_refuses_premium_reports(client: httpx.Client) -> None:
    with running_sandbox(TenantSpec(seed=2, users=5, premium=False)) as sandbox:
        token = graph_token(sandbox, client)
        for path, params in (
            ("/auditLogs/signIns", None),
            ("/reports/authenticationMethods/userRegistrationDetails", None),
            ("/users", {"$select": "id,signInActivity"}),
        ):
            response = graph_get(sandbox, client, token, path, params)
            assert response.status_code == 403
            code = response.json()["error"]["code"]
            assert code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
        assert graph_get(sandbox, client, token, "/users", {"$select": "id"}).status_code == 200


def test_undelegated_google_scope_is_unauthorized_client(client: httpx.Client) -> None:
    spec = TenantSpec(seed=2, users=5, google_scopes=(SCOPE + "admin.directory.user.readonly",))
    with running_sandbox(spec) as sandbox:
        admin = sandbox.google().admin_email
        ok = google_token_response(
            sandbox, client, admin, [SCOPE + "admin.directory.user.readonly"]
        )
        assert ok.status_code == 200
        refused = google_token_response(sandbox, client, admin, [SCOPE + "gmail.metadata"])
        assert refused.status_code == 401
        assert refused.json()["error"] == "unauthorized_client"


def test_google_scope_checked_per_endpoint(sandbox: Sandbox, client: httpx.Client) -> None:
    token = google_token(sandbox, client, scopes=[SCOPE + "apps.licensing"])
    url = sandbox.settings_overrides()["google_admin_base_url"] + "/admin/directory/v1/users"
    response = client.get(
        url, params={"customer": "my_customer"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["errors"][0]["reason"] == "forbidden"


def test_gmail_metadata_scope_refuses_q(sandbox: Sandbox, client: httpx.Client) -> None:
    from failsafe.sandbox.people import email, person

    user = email(sandbox.spec, "google", person(sandbox.spec, "google", 20))
    token = google_token(sandbox, client, user, [SCOPE + "gmail.metadata"])
    url = sandbox.settings_overrides()["google_gmail_base_url"] + f"/gmail/v1/users/{user}/messages"
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(url, headers=headers).status_code == 200
    response = client.get(url, params={"q": "from:billing"}, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Metadata scope does not support 'q' parameter"
