"""Read the pipe-separated data files shipped in ``failsafe/catalog/data``."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources


def rows(name: str, columns: int) -> Iterator[list[str]]:
    """Each non-comment line of ``name`` split on ``|`` and padded to ``columns`` fields."""
    text = resources.files("failsafe.catalog.data").joinpath(name).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("|")]
        if len(fields) > columns:
            raise ValueError(f"{name}:{number}: {len(fields)} fields, expected {columns}")
        yield fields + [""] * (columns - len(fields))


def split_list(value: str) -> tuple[str, ...]:
    """A comma-separated cell as a tuple, empty cells dropped."""
    return tuple(part.strip() for part in value.split(",") if part.strip())
