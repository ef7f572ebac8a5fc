"""Google's JWT-bearer token endpoint verifies what a real one would."""

from __future__ import annotations

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from failsafe.sandbox import Sandbox
from tests.sandbox.helpers import SCOPE, google_token_response

USERS = [SCOPE + "admin.directory.user.readonly"]


def _other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_valid_assertion_gets_a_token(sandbox: Sandbox, client: httpx.Client) -> None:
    response = google_token_response(sandbox, client, sandbox.google().admin_email, USERS)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0


def test_wrong_key_is_invalid_grant(sandbox: Sandbox, client: httpx.Client) -> None:
    response = google_token_response(
        sandbox, client, sandbox.google().admin_email, USERS, key_pem=_other_key()
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_long_lived_assertion_is_refused(sandbox: Sandbox, client: httpx.Client) -> None:
    response = google_token_response(
        sandbox, client, sandbox.google().admin_email, USERS, lifetime=7200
    )
    assert response.json()["error"] == "invalid_grant"


def test_subject_outside_the_domain(sandbox: Sandbox, client: httpx.Client) -> None:
    response = google_token_response(sandbox, client, "someone@example.org", USERS)
    assert response.status_code == 401 and response.json()["error"] == "unauthorized_client"


def test_unknown_user_in_the_domain(sandbox: Sandbox, client: httpx.Client) -> None:
    domain = sandbox.google().domain
    response = google_token_response(sandbox, client, f"nobody@{domain}", USERS)
    assert response.json()["error"] == "invalid_grant"


def test_non_admin_cannot_list_users(sandbox: Sandbox, client: httpx.Client) -> None:
    from failsafe.sandbox.people import email, person

    user = email(sandbox.spec, "google", person(sandbox.spec, "google", 30))
    token = google_token_response(sandbox, client, user, USERS).json()["access_token"]
    url = sandbox.settings_overrides()["google_admin_base_url"] + "/admin/directory/v1/users"
    response = client.get(
        url, params={"customer": "my_customer"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
