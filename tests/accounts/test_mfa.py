from __future__ import annotations

import httpx
import psycopg
import pyotp

from tests.accounts.flows import (
    PASSWORD,
    email_of,
    enrol_totp,
    give_world_passwords,
    sign_in,
)
from tests.accounts.helpers import FakeClock
from tests.world import build_world


def _audit_actions(conn: psycopg.Connection) -> list[str]:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        return [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY id")]


async def test_partner_must_enrol_before_anything_else(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    signed = await sign_in(client, email_of("partner_a.user"))

    blocked = await client.get("/api/v1/engagements")
    assert blocked.status_code == 403
    assert blocked.json()["error"] == "mfa_enrolment_required"

    await enrol_totp(signed, clock)
    assert (await client.get("/api/v1/engagements")).status_code == 200
    assert "mfa.enrolled" in _audit_actions(owner)


async def test_skipping_the_mfa_step_is_refused(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    first = await sign_in(client, email_of("partner_a.user"))
    await enrol_totp(first, clock)

    other = new_client()
    await sign_in(other, email_of("partner_a.user"))
    for path in ("/api/v1/engagements", "/api/v1/accounts", "/api/v1/me/sessions"):
        response = await other.get(path)
        assert response.status_code == 403, path
        assert response.json()["error"] == "mfa_required"
    me = (await other.get("/api/v1/me")).json()
    assert me["mfa_step_required"] is True


async def test_totp_code_cannot_be_replayed_in_its_window(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    first = await sign_in(client, email_of("client_a1.user"))
    secret, _codes = await enrol_totp(first, clock)
    clock.advance(seconds=60)
    code = pyotp.TOTP(secret).at(clock.now())

    second = new_client()
    step_one = await sign_in(second, email_of("client_a1.user"))
    ok = await second.post("/api/v1/auth/mfa", json={"code": code}, headers=step_one.headers())
    assert ok.status_code == 200, ok.text

    third = new_client()
    step_two = await sign_in(third, email_of("client_a1.user"))
    replay = await third.post("/api/v1/auth/mfa", json={"code": code}, headers=step_two.headers())
    assert replay.status_code == 401
    assert (await third.get("/api/v1/engagements")).status_code == 403


async def test_recovery_code_works_once_and_is_audited(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    first = await sign_in(client, email_of("client_a1.user"))
    _secret, codes = await enrol_totp(first, clock)
    assert len(codes) == 10 and len(set(codes)) == 10

    second = new_client()
    pending = await sign_in(second, email_of("client_a1.user"))
    used = await second.post(
        "/api/v1/auth/mfa", json={"recovery_code": codes[0]}, headers=pending.headers()
    )
    assert used.status_code == 200
    assert (await second.get("/api/v1/engagements")).status_code == 200

    third = new_client()
    again = await sign_in(third, email_of("client_a1.user"))
    reuse = await third.post(
        "/api/v1/auth/mfa", json={"recovery_code": codes[0]}, headers=again.headers()
    )
    assert reuse.status_code == 401
    assert "mfa.recovery_code_used" in _audit_actions(owner)


async def test_mfa_step_rotates_the_session(
    client: httpx.AsyncClient, new_client, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    first = await sign_in(client, email_of("client_a1.user"))
    secret, _ = await enrol_totp(first, clock)
    clock.advance(seconds=60)

    second = new_client()
    pending = await sign_in(second, email_of("client_a1.user"))
    before = second.cookies.get("__Host-fs_session")
    code = pyotp.TOTP(secret).at(clock.now())
    await second.post("/api/v1/auth/mfa", json={"code": code}, headers=pending.headers())
    after = second.cookies.get("__Host-fs_session")
    assert before and after and before != after

    stale = new_client()
    stale.cookies.set("__Host-fs_session", before, domain="testserver")
    assert (await stale.get("/api/v1/me")).status_code == 401


async def test_removing_mfa_needs_the_password_and_is_audited(
    client: httpx.AsyncClient, owner: psycopg.Connection, clock: FakeClock
) -> None:
    give_world_passwords(owner, build_world(owner))
    signed = await sign_in(client, email_of("client_a1.user"))
    await enrol_totp(signed, clock)
    wrong = await client.post(
        "/api/v1/me/mfa/totp/remove", json={"password": "not it"}, headers=signed.headers()
    )
    assert wrong.status_code == 403
    removed = await client.post(
        "/api/v1/me/mfa/totp/remove", json={"password": PASSWORD}, headers=signed.headers()
    )
    assert removed.status_code == 200
    assert "mfa.removed" in _audit_actions(owner)


async def test_enrolment_returns_a_qr_svg(
    client: httpx.AsyncClient, owner: psycopg.Connection
) -> None:
    give_world_passwords(owner, build_world(owner))
    signed = await sign_in(client, email_of("client_a1.user"))
    body = (await client.post("/api/v1/me/mfa/totp", headers=signed.headers())).json()
    assert body["qr_svg"].lstrip().startswith("<svg")
    assert body["otpauth_uri"].startswith("otpauth://totp/FailSafe:")
    assert body["qr_data_uri"].startswith("data:image/svg+xml;base64,")
