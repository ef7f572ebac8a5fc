"""Fixtures shared by tests/accounts and tests/web: a fast hasher, a fake clock, an app, mail."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from failsafe.runtime import Runtime
from failsafe.secrets.keyring import generate_key
from failsafe.settings import Settings
from failsafe.web.app import create_app
from tests.accounts.helpers import FakeClock

CLIENT_IP = "203.0.113.10"


@pytest.fixture
def test_settings(tmp_path: Path) -> Settings:
    """The shared test settings with a cheap argon2 cost (the algorithm is the same)."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        secret_keys=f"test1:{generate_key()}",  # type: ignore[arg-type]
        password_hash_time_cost=1,
        password_hash_memory_kib=8192,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@dataclass(frozen=True)
class Sent:
    to: str
    template: str
    context: dict[str, Any]


class Outbox:
    """What the accounts domain queued in the notifications outbox (read as a system actor)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    @property
    def messages(self) -> list[Sent]:
        with self.conn.transaction():
            self.conn.execute("SELECT set_config('failsafe.role', 'system', true)")
            rows = self.conn.execute(
                "SELECT to_address, template, context FROM email_outbox ORDER BY created_at"
            ).fetchall()
        return [Sent(to=row[0], template=row[1], context=row[2]) for row in rows]

    def token(self, to: str, template: str) -> str:
        for message in reversed(self.messages):
            if message.to == to and message.template == template:
                found = re.search(r"token=([A-Za-z0-9_-]+)", str(message.context.get("link")))
                assert found is not None
                return found.group(1)
        raise AssertionError(f"no {template} email to {to}")


@pytest.fixture
def outbox(owner: psycopg.Connection) -> Outbox:
    return Outbox(owner)


@pytest.fixture
def app(runtime: Runtime, clock: FakeClock) -> FastAPI:
    return create_app(runtime, clock=clock)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


@pytest.fixture
def new_client(app: FastAPI):  # type: ignore[no-untyped-def]
    """A factory of further independent clients (own cookie jars), optionally another IP."""
    made: list[httpx.AsyncClient] = []

    def make(ip: str = CLIENT_IP) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 50001))
        http = httpx.AsyncClient(transport=transport, base_url="https://testserver")
        made.append(http)
        return http

    yield make
