"""The README stays true: every setting is documented and the quick start has two commands."""

from __future__ import annotations

import re

from failsafe.settings import Settings
from tests.conftest import REPO


def env_name(field: str) -> str:
    return "DATABASE_URL" if field == "database_url" else f"FAILSAFE_{field.upper()}"


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [env_name(name) for name in Settings.model_fields if env_name(name) not in readme]
    assert missing == [], f"document these settings in README.md: {missing}"


def test_quick_start_has_the_demo_and_the_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\$ (.+)$", quick_start, flags=re.MULTILINE)
    assert commands == ["./run demo", "./run test"]
    assert (REPO / ".ci" / "run").read_text().strip().endswith("./run test")
