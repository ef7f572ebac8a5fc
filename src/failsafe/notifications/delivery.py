"""Drain the outbox: claim, send, mark — one message per transaction.

Each due row is claimed with ``FOR UPDATE SKIP LOCKED`` (so any number of workers drain in
parallel without sending a row twice), handed to the provider, and marked ``sent`` in the same
transaction once the provider accepted it. A provider failure records the attempt and a
back-off in that transaction instead; the message stays queued and nothing is lost.

Delivery is at-least-once, not exactly-once: if the process dies after the provider accepted a
message but before the commit, the row is still queued and will be sent again. The copy carries
the same Message-ID and outbox id (Postmark Metadata, SendGrid custom_args), so the duplicate is
detectable at the provider and mail clients that deduplicate on Message-ID show it once.
# Limitation: a provider-side idempotency key would close the gap; Postmark and SendGrid offer
# none for sends, so a pre-send lookup by metadata (Postmark's outbound messages search) is
# the fix if duplicates ever matter more than the extra API call per retry.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.notifications.backends import (
    Backends,
    OutgoingEmail,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from failsafe.notifications.templates import render

log = structlog.get_logger(__name__)

ACTOR = SystemActor("notifications.outbox")
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600

_CLAIM = text(
    "SELECT id, stream, to_address, template, context, attempts FROM email_outbox"
    " WHERE status = 'queued' AND next_attempt_at <= :now"
    " ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
)
_SENT = text(
    "UPDATE email_outbox SET status = 'sent', sent_at = :now, attempts = attempts + 1,"
    " provider_message_id = :provider_id, last_error = NULL,"
    # The context may hold one-time links; once sent there is no reason to keep it.
    " context = '{}'::jsonb WHERE id = :id"
)
_RETRY = text(
    "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = :next,"
    " last_error = :error WHERE id = :id"
)
_FAILED = text(
    "UPDATE email_outbox SET status = 'failed', attempts = attempts + 1, last_error = :error,"
    " context = '{}'::jsonb WHERE id = :id"
)
_STILL_SUBSCRIBED = text(
    "SELECT 1 FROM digest_subscriptions WHERE user_id = CAST(:user_id AS uuid)"
    " AND unsubscribed_at IS NULL"
)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed}


def backoff(attempts: int) -> dt.timedelta:
    """Exponential back-off after ``attempts`` failed tries, capped at an hour."""
    seconds = min(BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    return dt.timedelta(seconds=seconds)


def digest_headers(context: dict[str, Any]) -> dict[str, str]:
    """RFC 2369 + RFC 8058 one-click unsubscribe headers for the digest stream."""
    url = context.get("unsubscribe_url")
    if not url:
        return {}
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


async def deliver_due(
    database: Database,
    backends: Backends,
    *,
    sender: str,
    now: dt.datetime | None = None,
    limit: int = 100,
) -> DeliveryReport:
    """Send up to ``limit`` due messages; returns what happened."""
    report = DeliveryReport()
    for _ in range(limit):
        at = now or dt.datetime.now(dt.UTC)
        async with database.transaction(ACTOR) as session:
            row = (await session.execute(_CLAIM, {"now": at})).mappings().first()
            if row is None:
                break
            await _deliver_one(session, backends, dict(row), sender=sender, now=at, report=report)
    return report


async def _deliver_one(
    session: AsyncSession,
    backends: Backends,
    row: dict[str, Any],
    *,
    sender: str,
    now: dt.datetime,
    report: DeliveryReport,
) -> None:
    outbox_id = str(row["id"])
    context = row["context"] if isinstance(row["context"], dict) else json.loads(row["context"])
    if row["stream"] == "digest" and not await _still_subscribed(session, context):
        await session.execute(_FAILED, {"id": row["id"], "error": "unsubscribed"})
        report.failed += 1
        log.info("email.skipped_unsubscribed", outbox_id=outbox_id)
        return

    backend = backends.for_stream(row["stream"])
    email = OutgoingEmail(
        outbox_id=outbox_id,
        stream=row["stream"],
        sender=sender,
        to=row["to_address"],
        content=render(row["template"], context),
        headers=digest_headers(context) if row["stream"] == "digest" else {},
    )
    try:
        provider_id = await backend.send(email)
    except TransientDeliveryError as exc:
        attempts = int(row["attempts"]) + 1
        await session.execute(
            _RETRY, {"id": row["id"], "next": now + backoff(attempts), "error": str(exc)[:300]}
        )
        report.retried += 1
        log.warning(
            "email.retry_later",
            outbox_id=outbox_id,
            backend=backend.name,
            attempts=attempts,
            error=str(exc)[:100],
        )
        return
    except PermanentDeliveryError as exc:
        await session.execute(_FAILED, {"id": row["id"], "error": str(exc)[:300]})
        report.failed += 1
        log.error("email.rejected", outbox_id=outbox_id, backend=backend.name, error=str(exc))
        return
    await session.execute(_SENT, {"id": row["id"], "now": now, "provider_id": provider_id[:255]})
    report.sent += 1
    log.info("email.sent", outbox_id=outbox_id, backend=backend.name)


async def _still_subscribed(session: AsyncSession, context: dict[str, Any]) -> bool:
    user_id = context.get("user_id")
    if not user_id:
        return False
    try:
        uuid.UUID(str(user_id))
    except ValueError:
        return False
    found = await session.execute(_STILL_SUBSCRIBED, {"user_id": str(user_id)})
    return found.first() is not None
