from __future__ import annotations

import httpx
from fastapi import FastAPI

from failsafe.errors import Conflict, TooManyRequests


async def test_validation_errors_name_fields_and_never_echo_values(
    client: httpx.AsyncClient,
) -> None:
    secret = "my-secret-password-value"
    response = await client.post(
        "/api/v1/auth/signin", json={"email": "not-an-email", "password": secret, "extra": 1}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    assert [field["path"] for field in body["fields"]] == ["body.email"]
    assert secret not in response.text and "not-an-email" not in response.text


async def test_unexpected_errors_are_bare_500s(app: FastAPI) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("internal detail /srv/secret/path")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        response = await http.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "internal_error", "detail": "internal error"}
    assert "Traceback" not in response.text and "/srv/secret" not in response.text
    assert response.headers["x-frame-options"] == "DENY"


async def test_failsafe_errors_keep_status_code_and_retry_after(app: FastAPI) -> None:
    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("already there")

    @app.get("/limited")
    async def limited() -> None:
        raise TooManyRequests("slow down", retry_after=42)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        first = await http.get("/conflict")
        second = await http.get("/limited")
    assert (first.status_code, first.json()) == (
        409,
        {"error": "conflict", "detail": "already there"},
    )
    assert second.status_code == 429 and second.headers["retry-after"] == "42"


async def test_nul_bytes_are_refused_not_crashed(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signin", json={"email": "a\u0000@b.test", "password": "x\u0000y"}
    )
    assert response.status_code == 422
