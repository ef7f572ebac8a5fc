"""An app on a fresh database, driven over its real ASGI stack with httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from failsafe.runtime import Runtime
from failsafe.web.app import create_app
from tests.accounts.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(runtime: Runtime, clock: FakeClock) -> FastAPI:
    return create_app(runtime, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http
