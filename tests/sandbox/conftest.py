"""Sandboxes shared by a test module (each one a real uvicorn server on loopback)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from failsafe.sandbox import Sandbox, TenantSpec, running_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(TenantSpec(seed=11, users=120, profile="risky")) as running:
        yield running


@pytest.fixture()
def fresh(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox with no faults scheduled before or after the test."""
    sandbox.faults.clear()
    yield sandbox
    sandbox.faults.clear()


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http
