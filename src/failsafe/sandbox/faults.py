"""Injectable faults: deterministic schedules per endpoint, no timing races.

A :class:`Fault` matches requests by provider and path prefix and fires on chosen occurrences
(``nth=(3,)``: the third matching request; ``nth=()`` with ``times=None``: every one). Counting
is per fault, so "the 3rd request to /users fails with 429, then succeeds" is one line::

    sandbox.faults.add(Fault("graph", "/users", "throttle", nth=(3,)))

Kinds: ``throttle`` (429 with Retry-After, Graph or Google body), ``unavailable`` (503),
``reset`` (the connection is closed mid-response), ``malformed`` (200 with invalid JSON),
``slow`` (adds ``delay_ms`` before answering), ``unauthorized`` (401 as for an expired token),
``rate_limit_403`` (Google's 403 userRateLimitExceeded). Inside a Graph ``$batch`` or a Google
batch, ``throttle`` and ``unavailable`` answer that one item; other kinds apply to the whole
HTTP request only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal[
    "throttle", "unavailable", "reset", "malformed", "slow", "unauthorized", "rate_limit_403"
]
Scope = Literal["graph", "login", "google", "any"]
ITEM_KINDS = frozenset({"throttle", "unavailable", "rate_limit_403"})


@dataclass
class Fault:
    """One scheduled fault."""

    provider: Scope
    path: str  # prefix of the path below the provider base, e.g. "/users" or "/gmail/v1"
    kind: FaultKind
    nth: tuple[int, ...] = ()  # 1-based occurrences that fail; empty: see ``times``
    times: int | None = None  # with empty nth: the first ``times`` matches fail (None: all)
    retry_after: float | None = 1.0  # None: no Retry-After header (as conditional access)
    delay_ms: int = 0
    exact: bool = False  # match the path exactly instead of as a prefix
    seen: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    def matches(self, provider: str, path: str) -> bool:
        """Whether a request to ``path`` of ``provider`` is one this fault counts."""
        if self.provider not in ("any", provider):
            return False
        return path == self.path if self.exact else path.startswith(self.path)

    def take(self) -> bool:
        """Count one matching request; True when this occurrence fails."""
        self.seen += 1
        hit = self.seen in self.nth if self.nth else self.times is None or self.seen <= self.times
        if hit:
            self.fired += 1
        return hit


class FaultPlan:
    """The faults of one sandbox run (thread-safe: tests add faults from their own thread)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        """Schedule ``fault``; returns it so a test can read ``seen``/``fired`` later."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget everything scheduled or recorded so far."""
        with self._lock:
            self._faults.clear()

    def pick(self, provider: str, path: str, *, item: bool = False) -> Fault | None:
        """The first fault that fires for this request (every matching fault counts it)."""
        chosen: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if item and fault.kind not in ITEM_KINDS:
                    continue
                if fault.matches(provider, path) and fault.take() and chosen is None:
                    chosen = fault
        return chosen
