from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from failsafe.connectors.graph.auth import GraphCredentials
from failsafe.connectors.plan import CollectionPlan
from failsafe.settings import Settings


class SleepRecorder:
    """Injected instead of asyncio.sleep: records every back-off, waits for nothing."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def graph_settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        graph_base_url="https://graph.test/v1.0",
        microsoft_login_base_url="https://login.test",
        microsoft_client_id="failsafe-app",
        microsoft_client_secret="s3cret",  # type: ignore[arg-type]
        scan_concurrency=4,
        http_max_retries=3,
    )


@pytest.fixture
def graph_credentials() -> GraphCredentials:
    return GraphCredentials("11111111-2222-3333-4444-555555555555", "failsafe-app", "s3cret")


@pytest.fixture
def plan() -> CollectionPlan:
    now = datetime.now(UTC)
    return CollectionPlan(started_at=now, mail_since=now - timedelta(days=90))
