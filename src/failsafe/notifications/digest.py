"""The weekly digest (Mondays), sent only to users who opted in, each with a one-click
unsubscribe link (an authenticated token sealed with the application key ring)."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import quote

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.notifications.outbox import enqueue_email
from failsafe.scans.latest import LATEST_COMPLETE_SCANS
from failsafe.secrets.keyring import KeyRing

log = structlog.get_logger(__name__)

ACTOR = SystemActor("notifications.digest")
UNSUBSCRIBE_PURPOSE = "digest.unsubscribe"
UNSUBSCRIBE_PATH = "/unsubscribe/digest"

_SUBSCRIBERS = text(
    "SELECT u.id, u.email, u.account_id FROM digest_subscriptions d"
    " JOIN users u ON u.id = d.user_id JOIN accounts a ON a.id = u.account_id"
    " WHERE d.unsubscribed_at IS NULL AND u.status = 'active' AND a.status = 'active'"
    " AND u.email_verified_at IS NOT NULL ORDER BY u.id"
)
_ENGAGEMENTS = text(
    "SELECT e.id, e.name, max(s.finished_at) AS last_scan FROM engagements e"
    " LEFT JOIN scans s ON s.engagement_id = e.id"
    " WHERE e.status = 'active' AND (e.customer_account_id = :a OR e.partner_account_id = :a)"
    " GROUP BY e.id, e.name ORDER BY e.name LIMIT 50"
)
# Findings are stored per scan: the engagement's current state is the newest complete scan
# of each of its connections (as on the findings page), and only open findings count
# (accepted and resolved ones are decisions already taken).
_OPEN_FINDINGS = text(
    "SELECT count(*) FROM findings f WHERE f.status = 'open'"
    f" AND f.scan_id IN ({LATEST_COMPLETE_SCANS})"
)
_OPT = text(
    "INSERT INTO digest_subscriptions (user_id, account_id, opted_in_at)"
    " VALUES (:u, :a, now()) ON CONFLICT (user_id) DO UPDATE"
    " SET opted_in_at = now(), unsubscribed_at = NULL"
)
_UNSUBSCRIBE = text(
    "UPDATE digest_subscriptions SET unsubscribed_at = now()"
    " WHERE user_id = :u AND unsubscribed_at IS NULL"
)


def unsubscribe_token(keyring: KeyRing, user_id: uuid.UUID) -> str:
    """A token only FailSafe can mint: the user id sealed with AES-GCM under a purpose."""
    return keyring.seal(user_id.bytes, UNSUBSCRIBE_PURPOSE)


def user_of_token(keyring: KeyRing, token: str) -> uuid.UUID | None:
    """The user a token was minted for, or None when it is forged or damaged."""
    try:
        return uuid.UUID(bytes=keyring.open(token, UNSUBSCRIBE_PURPOSE))
    except Exception:  # any failure to open means "not ours"
        return None


def unsubscribe_url(base_url: str, keyring: KeyRing, user_id: uuid.UUID) -> str:
    token = quote(unsubscribe_token(keyring, user_id), safe="")
    return f"{base_url.rstrip('/')}{UNSUBSCRIBE_PATH}?token={token}"


_SUBSCRIBED = text("SELECT unsubscribed_at IS NULL FROM digest_subscriptions WHERE user_id = :u")


async def is_subscribed(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether the user currently receives the weekly digest."""
    return bool(await session.scalar(_SUBSCRIBED, {"u": user_id}))


async def set_digest_opt_in(
    session: AsyncSession, user_id: uuid.UUID, account_id: uuid.UUID, *, opted_in: bool
) -> None:
    """Opt a user in to (or out of) the weekly digest."""
    if opted_in:
        await session.execute(_OPT, {"u": user_id, "a": account_id})
    else:
        await session.execute(_UNSUBSCRIBE, {"u": user_id})


async def unsubscribe(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Stop the digest for ``user_id``; True when it was subscribed."""
    result = await session.execute(_UNSUBSCRIBE, {"u": user_id})
    return bool(getattr(result, "rowcount", 0))


async def queue_weekly_digest(
    database: Database, keyring: KeyRing, base_url: str, *, now: dt.datetime
) -> int:
    """Queue one digest per opted-in user, all in one transaction (all or none)."""
    queued = 0
    async with database.transaction(ACTOR) as session:
        for user_id, email, account_id in (await session.execute(_SUBSCRIBERS)).all():
            engagements = []
            total = 0
            for engagement_id, name, last_scan in await session.execute(
                _ENGAGEMENTS, {"a": account_id}
            ):
                count = int(
                    (
                        await session.execute(_OPEN_FINDINGS, {"engagement_id": engagement_id})
                    ).scalar_one()
                )
                total += count
                engagements.append(
                    {
                        "name": name,
                        "open_findings": count,
                        "last_scan": last_scan.date().isoformat() if last_scan else "never",
                    }
                )
            await enqueue_email(
                session,
                to=email,
                template="weekly_digest",
                context={
                    "user_id": str(user_id),
                    "week_of": now.date().isoformat(),
                    "open_findings": total,
                    "engagements": engagements,
                    "portal_link": base_url.rstrip("/") + "/",
                    "unsubscribe_url": unsubscribe_url(base_url, keyring, user_id),
                },
                stream="digest",
                account_id=account_id,
            )
            queued += 1
    log.info("digest.queued", users=queued)
    return queued
