"""``failsafe serve --workers N``: N app processes behind one port, each built from the
environment's settings; a worker count out of range is refused before anything starts."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from failsafe.cli import app
from failsafe.db.urls import DatabaseTarget
from tests.web.live import cloned_database, serve_command

_SERVER_PID = re.compile(r"Started server process \[(\d+)\]")


def test_two_workers_serve_one_port(
    server_target: DatabaseTarget, template_target: DatabaseTarget, tmp_path: Path
) -> None:
    with (
        cloned_database(server_target, template_target) as target,
        serve_command(target, tmp_path, "--workers", "2", processes=2) as (url, parent, log),
    ):
        # Two distinct child processes each built the app (multiprocessing adds a helper too).
        started = {int(pid) for line in log for pid in _SERVER_PID.findall(line)}
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


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_worker_count_out_of_range_is_refused(
    workers: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FAILSAFE_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["serve", "--workers", workers])
    assert result.exit_code == 2
    assert "--workers" in result.output
    assert not (tmp_path / "pgdata").exists()  # refused before the database was touched
