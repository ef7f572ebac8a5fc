"""The README's demo command works in a fresh clone (new virtualenv, new data directory)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_demo_runs_from_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FAILSAFE_", "VIRTUAL_ENV", "PYTEST")) and key != "DATABASE_URL"
    }
    env["FAILSAFE_DATA_DIR"] = str(tmp_path / "data")

    try:
        result = subprocess.run(
            ["./run", "demo", "--no-serve"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "demo accounts created" in result.stdout
        assert "partner@northwind.test" in result.stdout
        again = subprocess.run(
            ["./run", "demo", "--no-serve"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert again.returncode == 0, again.stderr[-3000:]
        assert "demo accounts already present" in again.stdout
    finally:
        subprocess.run(["./run", "failsafe", "db", "stop"], cwd=clone, env=env, check=False)
