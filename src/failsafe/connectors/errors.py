"""Why a piece of collection could not finish.

Only :class:`CollectionError` and its subclasses turn a section into "not assessed"; anything
else (a bug, or the read-only guard refusing a request) fails the whole scan, so a verdict is
never given on data that never arrived::

    CollectionError             a section could not be read; ``reason`` says why
    ├── AccessDenied            401/403 from the tenant: a permission or scope is missing
    ├── RetriesExhausted        429/5xx/timeouts kept coming after the retry cap
    └── UnexpectedResponse      a status or body the connector does not understand
    WriteRefused                the guard stopped a non-read request (a bug, never caught)
"""

from __future__ import annotations


class CollectionError(Exception):
    """A section could not be read; ``reason`` is safe to show and store."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AccessDenied(CollectionError):
    """The tenant refused: a permission, scope or licence is missing."""


class RetriesExhausted(CollectionError):
    """Transient failures continued past ``http_max_retries``."""


class UnexpectedResponse(CollectionError):
    """A response the connector cannot interpret (bad status, malformed body)."""

    def __init__(self, reason: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code


class WriteRefused(RuntimeError):
    """A request that is not a read was about to leave the process."""
