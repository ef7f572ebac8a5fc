"""Named checkpoints inside jobs, for crash tests.

Production never replaces :data:`checkpoint`; the kill-a-worker tests install one in their
worker subprocess that blocks on a PostgreSQL advisory lock the test holds, so the job can be
killed at a known point without sleeping.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable


async def _noop(name: str) -> None:
    return None


checkpoint: Callable[[str], Awaitable[None]] = _noop


async def reach(name: str) -> None:
    """Pass checkpoint ``name`` (a no-op outside tests)."""
    await checkpoint(name)
