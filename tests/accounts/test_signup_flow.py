from __future__ import annotations

import httpx
import psycopg

from failsafe.notifications.backends import build_backends
from failsafe.notifications.delivery import deliver_due
from failsafe.runtime import Runtime
from tests.accounts.fixtures import Outbox
from tests.accounts.flows import PASSWORD, sign_in, sign_up_and_verify


async def test_sign_up_creates_account_user_and_engagement(
    client: httpx.AsyncClient, outbox: Outbox
) -> None:
    await sign_up_and_verify(client, outbox, "owner@acme.test")
    signed = await sign_in(client, "owner@acme.test")

    me = (await client.get("/api/v1/me")).json()
    assert me["role"] == "client"
    assert me["mfa_enrolment_required"] is False
    engagements = (await client.get("/api/v1/engagements")).json()
    assert [e["name"] for e in engagements] == ["Acme Dental assessment"]
    accounts = (await client.get("/api/v1/accounts")).json()
    assert [a["id"] for a in accounts] == [me["account_id"]]
    assert signed.csrf


async def test_sign_in_before_verification_is_refused(
    client: httpx.AsyncClient, outbox: Outbox
) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "new@acme.test", "password": PASSWORD, "name": "N", "company": "Acme"},
    )
    assert response.status_code == 202
    response = await client.post(
        "/api/v1/auth/signin", json={"email": "new@acme.test", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "email_not_verified"


async def test_sign_up_with_a_taken_email_answers_the_same(
    client: httpx.AsyncClient, outbox: Outbox
) -> None:
    await sign_up_and_verify(client, outbox, "taken@acme.test")
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "taken@acme.test", "password": PASSWORD, "name": "X", "company": "Y"},
    )
    assert response.status_code == 202
    assert response.json() == {"status": "accepted"}
    assert outbox.messages[-1].template == "account_exists"


async def test_weak_password_is_refused_with_a_reason(client: httpx.AsyncClient) -> None:
    for password in ("short", "passwordpassword", "owner@acme.test-and-more"):
        response = await client.post(
            "/api/v1/auth/signup",
            json={"email": "owner@acme.test", "password": password, "name": "N", "company": "C"},
        )
        assert response.status_code == 422, password
        assert response.json()["error"] == "weak_password"


async def test_cookie_writes_need_the_csrf_token(client: httpx.AsyncClient, outbox: Outbox) -> None:
    await sign_up_and_verify(client, outbox, "owner@acme.test")
    signed = await sign_in(client, "owner@acme.test")
    body = {"name": "ci", "scope": "read"}
    refused = await client.post("/api/v1/me/tokens", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf_failed"
    wrong = await client.post("/api/v1/me/tokens", json=body, headers={"x-csrf-token": "nope"})
    assert wrong.status_code == 403
    accepted = await client.post("/api/v1/me/tokens", json=body, headers=signed.headers())
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["token"].startswith("fs_")


async def test_verification_mail_is_queued_for_the_account_and_delivered_from_the_outbox(
    client: httpx.AsyncClient, outbox: Outbox, runtime: Runtime, owner: psycopg.Connection
) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={"email": "mail@acme.test", "password": PASSWORD, "name": "N", "company": "Acme"},
    )
    assert response.status_code == 202
    token = outbox.token("mail@acme.test", "verify_email")
    with owner.transaction():
        owner.execute("SELECT set_config('failsafe.role', 'system', true)")
        row = owner.execute(
            "SELECT o.status, o.account_id = u.account_id FROM email_outbox o"
            " JOIN users u ON u.email = o.to_address WHERE o.to_address = 'mail@acme.test'"
        ).fetchone()
    # Tied to the account, so deleting the account removes the queued message too.
    assert row == ("queued", True)

    settings = runtime.settings.model_copy(update={"email_backend": "file"})
    async with httpx.AsyncClient() as http:
        report = await deliver_due(runtime.database, build_backends(settings, http), sender="x@y.z")
    assert report.sent == 1
    (delivered,) = (settings.data_dir / "mail").glob("*.eml")
    assert f"token={token}" in delivered.read_text()
