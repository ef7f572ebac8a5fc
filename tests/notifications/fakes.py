"""Fakes of the Postmark and SendGrid send APIs, with switchable outages."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class FakeProvider:
    """Records accepted messages; ``mode`` is "ok", "5xx" or "timeout"."""

    token_header: str
    token: str
    mode: str = "ok"
    accepted: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    calls: int = 0


async def _never_in_time() -> Response:
    """Answer long after any client timeout, and accept nothing: a late handler that recorded
    the message would count a send the client saw fail (and would race the test's asserts)."""
    await asyncio.sleep(5)
    return JSONResponse({"Message": "gateway timeout"}, status_code=504)


def postmark_app(fake: FakeProvider) -> Starlette:
    async def email(request: Request) -> Response:
        fake.calls += 1
        if request.headers.get("x-postmark-server-token") != fake.token:
            return JSONResponse({"ErrorCode": 10, "Message": "bad token"}, status_code=401)
        if fake.mode == "5xx":
            return JSONResponse({"Message": "down"}, status_code=503)
        if fake.mode == "timeout":
            return await _never_in_time()
        body = await request.json()
        fake.accepted.append(body)
        return JSONResponse({"ErrorCode": 0, "Message": "OK", "MessageID": str(uuid.uuid4())})

    return Starlette(routes=[Route("/email", email, methods=["POST"])])


def sendgrid_app(fake: FakeProvider) -> Starlette:
    async def send(request: Request) -> Response:
        fake.calls += 1
        if request.headers.get("authorization") != f"Bearer {fake.token}":
            return JSONResponse({"errors": [{"message": "unauthorized"}]}, status_code=401)
        if fake.mode == "5xx":
            return JSONResponse({"errors": []}, status_code=500)
        if fake.mode == "timeout":
            return await _never_in_time()
        fake.accepted.append(await request.json())
        return Response(status_code=202, headers={"X-Message-Id": uuid.uuid4().hex})

    return Starlette(routes=[Route("/v3/mail/send", send, methods=["POST"])])
