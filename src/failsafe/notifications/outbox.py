"""The outbox: :func:`enqueue_email` writes a message in the caller's transaction.

The message is sent only if the change that caused it commits, and it is never lost while a
provider is down: the delivery job (:mod:`failsafe.notifications.delivery`) claims due rows
with ``FOR UPDATE SKIP LOCKED``, sends, and marks them sent in that same transaction.

The template is rendered once here to validate the context (a missing value fails the caller,
not the worker); delivery renders it again from the stored context.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, Literal

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.notifications.templates import render

log = structlog.get_logger(__name__)

Stream = Literal["transactional", "digest"]

DRAIN_TASK = "notifications:deliver_outbox"
DRAIN_QUEUE = "notifications"
DRAIN_LOCK = "notifications.outbox_drain"

_INSERT = text(
    "INSERT INTO email_outbox (id, stream, account_id, to_address, template, context,"
    " next_attempt_at, created_at)"
    " VALUES (:id, :stream, :account_id, :to, :template, CAST(:context AS jsonb), now(), now())"
)

# A drain job queued in the same transaction, so delivery starts as soon as the change commits
# (the every-minute periodic drain is the safety net). At most one drain waits at a time: the
# queueing lock's partial unique index makes a second insert a no-op.
_WAKE_DRAIN = text(
    "INSERT INTO procrastinate_jobs (queue_name, task_name, queueing_lock, args)"
    " VALUES (:queue, :task, :lock, '{}'::jsonb)"
    " ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING"
)


async def enqueue_email(
    session: AsyncSession,
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    stream: Stream = "transactional",
    account_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Queue one templated email in the caller's transaction; returns the outbox id.

    ``stream`` is ``"transactional"`` (verification, reset, scan complete, account and billing
    notices; Postmark in production) or ``"digest"`` (the weekly digest; SendGrid).
    ``context`` must be JSON-serialisable. Raises ``UnknownTemplate`` or a Jinja2 error when
    the template cannot be rendered with ``context``.
    """
    if stream not in ("transactional", "digest"):
        raise ValueError(f"unknown stream {stream!r}")
    if "\n" in to or "\r" in to or "@" not in to:
        raise ValueError("invalid recipient address")
    render(template, context)

    message_id = uuid.uuid4()
    await session.execute(
        _INSERT,
        {
            "id": message_id,
            "stream": stream,
            "account_id": account_id,
            "to": to.strip(),
            "template": template,
            "context": json.dumps(dict(context), default=str),
        },
    )
    await session.execute(
        _WAKE_DRAIN, {"queue": DRAIN_QUEUE, "task": DRAIN_TASK, "lock": DRAIN_LOCK}
    )
    log.info("email.queued", outbox_id=str(message_id), template=template, stream=stream)
    return message_id
