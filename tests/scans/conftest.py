from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from pydantic import SecretStr

from failsafe.connections import credentials
from failsafe.db.actor import SystemActor
from failsafe.db.urls import DatabaseTarget
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import KeyRing
from failsafe.settings import Settings
from tests.connectors.conftest import SleepRecorder
from tests.connectors.fake_graph import TENANT
from tests.world import World, build_world


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def scan_runtime(
    fresh_target: DatabaseTarget, test_settings: Settings
) -> AsyncIterator[Runtime]:
    """A runtime whose Graph endpoints point at the fake tenant's host names."""
    settings = test_settings.model_copy(
        update={
            "graph_base_url": "https://graph.test/v1.0",
            "microsoft_login_base_url": "https://login.test",
            "microsoft_client_id": "failsafe-app",
            "microsoft_client_secret": SecretStr("s3cret"),
            "scan_concurrency": 4,
            "http_max_retries": 3,
        }
    )
    assert settings.secret_keys is not None
    runtime = Runtime(
        settings=settings,
        target=fresh_target,
        keyring=KeyRing.parse(settings.secret_keys.get_secret_value()),
    )
    yield runtime
    await runtime.database.dispose()


@pytest.fixture
def world(owner: psycopg.Connection) -> World:
    return build_world(owner)


async def add_microsoft_connection(runtime: Runtime, engagement_id: uuid.UUID) -> uuid.UUID:
    """An active Microsoft connection with sealed credentials, inserted as a system actor."""
    connection_id = uuid.uuid4()
    sealed = credentials.seal(
        runtime.keyring, connection_id, {"provider": "microsoft", "tenant_id": TENANT}
    )
    from sqlalchemy import text

    async with runtime.database.transaction(SystemActor("test", engagement_id)) as session:
        await session.execute(
            text(
                "INSERT INTO connections (id, engagement_id, provider, tenant_ref, status,"
                " sealed_credentials) VALUES (:id, :e, 'microsoft', :t, 'active', :s)"
            ),
            {"id": connection_id, "e": engagement_id, "t": TENANT, "s": sealed},
        )
    return connection_id
