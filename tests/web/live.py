"""Real servers on loopback: uvicorn in a thread (one process) or in subprocesses (many)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import psutil
import psycopg
import uvicorn
from psycopg import sql

from failsafe.db.urls import DatabaseTarget
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import KeyRing, generate_key
from failsafe.settings import Settings
from failsafe.web.app import create_app

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def cloned_database(server: DatabaseTarget, template: DatabaseTarget) -> Iterator[DatabaseTarget]:
    """A fresh migrated database (like the fresh_target fixture, for wider scopes)."""
    name = f"fs_live_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.bootstrap_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template.database_name)
            )
        )
    try:
        yield server.with_database(name)
    finally:
        with psycopg.connect(server.bootstrap_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class _Server(uvicorn.Server):
    """uvicorn that says when it is listening (no polling, no sleeps)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@contextmanager
def thread_server(target: DatabaseTarget, data_dir: Path) -> Iterator[str]:
    """The app on 127.0.0.1:<free port> in a background thread; yields its base URL."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        secret_keys=f"live:{generate_key()}",  # type: ignore[arg-type]
        password_hash_time_cost=1,
        password_hash_memory_kib=8192,
    )
    assert settings.secret_keys is not None
    runtime = Runtime(
        settings=settings,
        target=target,
        keyring=KeyRing.parse(settings.secret_keys.get_secret_value()),
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_config=None, lifespan="on"
    )
    server = _Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(30), "server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def server_env(target: DatabaseTarget, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": target.bootstrap_url,
        "FAILSAFE_APP_DATABASE_URL": target.app_url,
        "FAILSAFE_SECRET_KEYS": f"live:{generate_key()}",
        "FAILSAFE_DATA_DIR": str(data_dir),
        "FAILSAFE_PASSWORD_HASH_TIME_COST": "1",
        "FAILSAFE_PASSWORD_HASH_MEMORY_KIB": "8192",
        "PYTHONPATH": str(REPO),
    }


def _listening(
    command: list[str], env: dict[str, str], marker: str = "Uvicorn running on"
) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``command`` and block on its log until a line has ``marker`` (by default, uvicorn
    saying it listens); returns the process and the log lines read so far."""
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert proc.stderr is not None
    seen: list[str] = []
    for line in proc.stderr:
        seen.append(line)
        if marker in line:
            break
    else:
        raise AssertionError(f"the server exited before logging {marker!r}:\n" + "".join(seen))
    return proc, seen


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(30)
        if proc.stderr is not None:
            proc.stderr.close()


@contextmanager
def process_servers(target: DatabaseTarget, data_dir: Path, count: int) -> Iterator[list[str]]:
    """``count`` separate uvicorn processes sharing one database; yields their base URLs."""
    env = server_env(target, data_dir)
    procs: list[subprocess.Popen[str]] = []
    urls = []
    try:
        for _ in range(count):
            port = free_port()
            command = [
                *("-m", "uvicorn", "failsafe.web.app:app_from_environment", "--factory"),
                *("--host", "127.0.0.1", "--port", str(port), "--log-level", "info"),
            ]
            proc, _seen = _listening([sys.executable, *command], env)
            procs.append(proc)
            assert proc.stderr is not None
            threading.Thread(target=_drain, args=(proc.stderr,), daemon=True).start()
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        _stop(procs)


_STARTED = "Application startup complete"


@contextmanager
def serve_command(
    target: DatabaseTarget,
    data_dir: Path,
    *args: str,
    processes: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, psutil.Process, list[str]]]:
    """``failsafe serve --workers N *args`` on a free loopback port, once ``processes`` app
    processes have started (each worker listens before its app starts up): (base URL, the
    command's process, its log). The log is complete once the block has exited, the command
    and its workers stopped."""
    assert "--workers" in args, "a single process starts its app before it listens"
    port = free_port()
    command = [sys.executable, "-m", "failsafe", "serve", "--port", str(port), *args]
    proc, seen = _listening(command, server_env(target, data_dir) | (env or {}), _STARTED)
    assert proc.stderr is not None
    reader = threading.Thread(target=seen.extend, args=(proc.stderr,), daemon=True)
    try:
        started = 1
        while started < processes:
            line = proc.stderr.readline()
            if not line:
                raise AssertionError("serve exited before its workers started:\n" + "".join(seen))
            seen.append(line)
            started += _STARTED in line
        reader.start()
        yield f"http://127.0.0.1:{port}", psutil.Process(proc.pid), seen
    finally:
        proc.terminate()
        proc.wait(30)
        if reader.is_alive():
            reader.join(30)  # the workers have exited with the command: the pipe is at its end
        proc.stderr.close()


def _drain(stream: IO[str]) -> None:
    try:
        for _line in stream:
            pass
    except ValueError:  # closed by the fixture while reading
        return
