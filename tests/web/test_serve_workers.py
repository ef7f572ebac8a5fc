"""``failsafe serve --workers N``: N app processes behind one port, each built from the
environment's settings and each with its own listening socket, so connections spread across
them; a worker count out of range, or a port in use, is refused before anything starts."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest
from typer.testing import CliRunner

from failsafe.cli import app
from failsafe.db.urls import DatabaseTarget
from tests.web.live import cloned_database, free_port, serve_command, server_env

_HEALTH_LINE = '"GET /health/live HTTP/1.1" 200'
_SERVER_PID = re.compile(r"Started server process \[(\d+)\]")


def _worker_pids(log: list[str]) -> set[int]:
    """The worker processes that said they started, from the server's log lines so far."""
    return {int(pid) for line in log for pid in _SERVER_PID.findall(line)}


def test_two_workers_serve_one_port(
    server_target: DatabaseTarget, template_target: DatabaseTarget, tmp_path: Path
) -> None:
    with (
        cloned_database(server_target, template_target) as target,
        serve_command(target, tmp_path, "--workers", "2", processes=2) as (url, parent, log),
    ):
        # Two distinct child processes each built the app (multiprocessing adds a helper too).
        started = _worker_pids(log)
        assert len(started) == 2
        assert started <= {child.pid for child in parent.children()}

        assert httpx.get(f"{url}/health/live").status_code == 200
        # A route that reads the database as the app role, through whichever worker answers.
        for _ in range(4):
            response = httpx.post(
                f"{url}/api/v1/auth/signin",
                json={"email": "nobody@example.test", "password": "not the password, long"},
            )
            assert response.status_code == 401
            assert response.json()["error"] == "invalid_credentials"

        # A burst of keep-alive connections, as a load balancer opens them: with one shared
        # socket the first worker to wake took them all; with a socket each, the kernel spreads
        # them (all 32 on one of two workers has odds of 2 in 2^32).
        port = int(url.rsplit(":", 1)[1])
        connections = [_kept_alive(port) for _ in range(32)]
        try:
            per_worker = [_established(worker, port) for worker in parent.children()]
            assert sum(per_worker) == 32
            assert sorted(per_worker)[-2] > 0  # at least two workers hold some
        finally:
            for connection in connections:
                connection.close()

    # The access log is on by default: one line per request, from whichever worker served it.
    assert sum(_HEALTH_LINE in line for line in log) == 1 + 32


def test_access_log_can_be_turned_off(
    server_target: DatabaseTarget, template_target: DatabaseTarget, tmp_path: Path
) -> None:
    quiet = {"FAILSAFE_ACCESS_LOG": "false"}
    with (
        cloned_database(server_target, template_target) as target,
        serve_command(target, tmp_path, "--workers", "2", processes=2, env=quiet) as (url, _, log),
    ):
        assert httpx.get(f"{url}/health/live").status_code == 200
    assert any("Finished server process" in line for line in log)  # read to the end
    assert not any(_HEALTH_LINE in line for line in log)


def _kept_alive(port: int) -> socket.socket:
    """A connection that has had one answer and stays open."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(b"GET /health/live HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
        chunk = connection.recv(4096)
        assert chunk, "the server closed a keep-alive connection"
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    return connection


def _established(worker: psutil.Process, port: int) -> int:
    return sum(
        1
        for connection in worker.net_connections(kind="tcp")
        if connection.status == psutil.CONN_ESTABLISHED and connection.laddr.port == port
    )


def test_port_in_use_is_one_clear_error(
    server_target: DatabaseTarget, template_target: DatabaseTarget, tmp_path: Path
) -> None:
    with cloned_database(server_target, template_target) as target, socket.socket() as taken:
        port = free_port()
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = subprocess.run(
            [sys.executable, "-m", "failsafe", "serve", "--workers", "2", "--port", str(port)],
            env=server_env(target, tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_worker_count_out_of_range_is_refused(
    workers: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FAILSAFE_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["serve", "--workers", workers])
    assert result.exit_code == 2
    assert "--workers" in result.output
    assert not (tmp_path / "pgdata").exists()  # refused before the database was touched


def test_workers_end_with_a_supervisor_killed_outright(
    server_target: DatabaseTarget, template_target: DatabaseTarget, tmp_path: Path
) -> None:
    with (
        cloned_database(server_target, template_target) as target,
        serve_command(target, tmp_path, "--workers", "2", processes=2) as (_, parent, log),
    ):
        pids = _worker_pids(log)
        workers = [psutil.Process(pid) for pid in pids]
        assert len(workers) == 2 and all(worker.is_running() for worker in workers)

        parent.kill()  # SIGKILL: the supervisor gets no chance to stop them itself

        # The kernel's parent-death signal ends them; the wait is a bound, not a pause.
        _, alive = psutil.wait_procs(workers, timeout=60)
        for worker in alive:  # so a failure leaves nothing serving (or holding the log pipe)
            worker.kill()
        assert alive == []
