"""Compare two scans' findings by fingerprint: new, unchanged and resolved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FindingsDiff:
    """Fingerprints of the current scan split by what happened since the previous one."""

    new: frozenset[str]
    unchanged: frozenset[str]
    resolved: frozenset[str]


def diff_findings(previous: Iterable[str], current: Iterable[str]) -> FindingsDiff:
    """Pure set arithmetic over fingerprints; the first scan of a connection is all new."""
    before = frozenset(previous)
    now = frozenset(current)
    return FindingsDiff(new=now - before, unchanged=now & before, resolved=before - now)
