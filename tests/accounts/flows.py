"""Test flows over the real HTTP stack: sign up, verify, sign in, enrol MFA."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import psycopg
import pyotp

from failsafe.accounts.passwords import PasswordService
from failsafe.accounts.reset import RESET_QUEUE
from failsafe.jobs.app import create_job_app, worker_context
from failsafe.runtime import Runtime
from tests.accounts.fixtures import Outbox
from tests.accounts.helpers import FakeClock
from tests.world import World

PASSWORD = "a long and unusual passphrase 42"


@dataclass
class Signed:
    http: httpx.AsyncClient
    csrf: str
    email: str

    def headers(self) -> dict[str, str]:
        return {"x-csrf-token": self.csrf}


async def sign_up_and_verify(
    http: httpx.AsyncClient, outbox: Outbox, email: str, *, company: str = "Acme Dental"
) -> None:
    response = await http.post(
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "name": "Pat Doe", "company": company},
    )
    assert response.status_code == 202, response.text
    token = outbox.token(email, "verify_email")
    response = await http.post("/api/v1/auth/verify", json={"token": token})
    assert response.status_code == 200, response.text


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Signed:
    response = await http.post("/api/v1/auth/signin", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return Signed(http=http, csrf=response.json()["csrf_token"], email=email)


async def enrol_totp(signed: Signed, clock: FakeClock) -> tuple[str, list[str]]:
    """Enrol TOTP; returns the secret and the recovery codes (the session is rotated)."""
    response = await signed.http.post("/api/v1/me/mfa/totp", headers=signed.headers())
    assert response.status_code == 200, response.text
    secret = response.json()["secret"]
    code = pyotp.TOTP(secret).at(clock.now())
    response = await signed.http.post(
        "/api/v1/me/mfa/totp/confirm", json={"code": code}, headers=signed.headers()
    )
    assert response.status_code == 200, response.text
    signed.csrf = response.json()["csrf_token"]
    return secret, response.json()["recovery_codes"]


def set_password_and_verify(
    conn: psycopg.Connection, user_id: uuid.UUID, password_hash: str
) -> None:
    """Give a world user a password (as a system actor, through the owner role)."""
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        conn.execute(
            "UPDATE users SET password_hash = %s, email_verified_at = now() WHERE id = %s",
            (password_hash, user_id),
        )


def give_world_passwords(conn: psycopg.Connection, world: World) -> None:
    """Every world user gets PASSWORD (cheap test hash) and a verified email."""
    hasher = PasswordService(time_cost=1, memory_kib=8192)
    hashed = hasher.hash(PASSWORD)
    for user_id in world.users.values():
        set_password_and_verify(conn, user_id, hashed)


def email_of(name: str) -> str:
    return f"{name}@example.test"


async def sign_in_full(http: httpx.AsyncClient, name: str, clock: FakeClock) -> Signed:
    """Sign a world user in; partners and admins enrol TOTP so the session is complete."""
    signed = await sign_in(http, email_of(name))
    me = (await http.get("/api/v1/me")).json()
    if me["mfa_enrolment_required"]:
        await enrol_totp(signed, clock)
    return signed


async def run_account_jobs(runtime: Runtime) -> None:
    """Run what the accounts queue holds (password reset links), as a worker would, then stop."""
    app = create_job_app(runtime)
    async with app.open_async():
        await app.run_worker_async(
            queues=[RESET_QUEUE],
            wait=False,
            concurrency=1,
            additional_context=worker_context(runtime),
        )


async def forgot_password(http: httpx.AsyncClient, runtime: Runtime, email: str) -> httpx.Response:
    """Ask for a reset link and let the worker send it (into the outbox)."""
    response = await http.post("/api/v1/auth/password/forgot", json={"email": email})
    await run_account_jobs(runtime)
    return response
