"""The sandbox's request log: every request it received, reads and refused writes alike."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Literal

Via = Literal["http", "graph_batch", "google_batch"]


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as received (no headers: they carry credentials)."""

    method: str
    path: str  # full path below the sandbox root, e.g. /graph/v1.0/users
    query: str
    body_size: int
    via: Via = "http"
    status: int = 0
    refused: bool = False  # a non-read that the sandbox refused


class RequestLog:
    """Append-only, thread-safe list of :class:`LoggedRequest`."""

    def __init__(self) -> None:
        self._items: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def add(self, entry: LoggedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._items.append(entry)

    def entries(self) -> list[LoggedRequest]:
        """A snapshot of every request so far."""
        with self._lock:
            return list(self._items)

    def refused(self) -> list[LoggedRequest]:
        """Requests refused as writes (a read-only scan leaves this empty)."""
        return [e for e in self.entries() if e.refused]

    def only_reads(self) -> bool:
        """True when nothing but GET, token POSTs and all-GET batches arrived."""
        return not self.refused()

    def count(self, path_prefix: str = "", via: Via | None = None) -> int:
        """How many requests start with ``path_prefix`` (optionally by ``via``)."""
        return sum(
            1
            for e in self.entries()
            if e.path.startswith(path_prefix) and (via is None or e.via == via)
        )

    def by_path(self) -> Counter[str]:
        """Request counts per path."""
        return Counter(e.path for e in self.entries())

    def clear(self) -> None:
        """Forget everything scheduled or recorded so far."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
