from __future__ import annotations

import httpx

from failsafe.web.middleware import CSP


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/health/live", "/api/v1/me", "/no/such/route"):
        response = await client.get(path)
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "max-age=" in response.headers["strict-transport-security"]


async def test_signed_out_is_401_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"error": "not_authenticated", "detail": "sign in required"}


async def test_unknown_route_is_404_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/route")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    body = b"x" * 2_100_000
    response = await client.post("/api/v1/me", content=body)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


async def test_oversized_streamed_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(30):
            yield b"y" * 100_000

    response = await client.post(
        "/api/v1/auth/signin", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
