"""A real uvicorn server on 127.0.0.1 in a background thread, for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from failsafe.db.urls import DatabaseTarget
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import KeyRing
from failsafe.settings import Settings
from failsafe.web.app import create_app


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    runtime: Runtime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def live_server(
    target: DatabaseTarget, settings: Settings, overrides: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """Serve the whole app (portal + API) until the block ends (``overrides``: settings)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = settings.model_copy(update={**(overrides or {}), "public_base_url": base})
    assert settings.secret_keys is not None
    keyring = KeyRing.parse(settings.secret_keys.get_secret_value())
    runtime = Runtime(settings=settings, target=target, keyring=keyring)
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_config=None, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="portal-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(base_url=base, runtime=runtime)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
