"""The scan-complete email, queued by the scan pipeline's notify step in its transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.notifications.outbox import enqueue_email

# The engagement's customer users and, when a partner manages it, the partner's users.
_RECIPIENTS = text(
    "SELECT u.email, u.account_id, e.name FROM engagements e"
    " JOIN users u ON u.account_id IN (e.customer_account_id, e.partner_account_id)"
    " JOIN accounts a ON a.id = u.account_id"
    " WHERE e.id = :e AND u.status = 'active' AND u.email_verified_at IS NOT NULL"
    " AND a.status = 'active' ORDER BY u.created_at LIMIT 50"
)


async def queue_scan_complete(
    session: AsyncSession,
    *,
    engagement_id: uuid.UUID,
    scan_id: uuid.UUID,
    status: str,
    findings: int,
    new_findings: int,
    base_url: str,
) -> int:
    """Queue one scan-complete email per recipient; returns how many were queued.

    The session's actor must see the recipients: an unscoped system actor sees both accounts'
    users; one scoped to the engagement sees only the customer's (the users policy of 0001),
    so the partner's users are then left out.
    """
    link = f"{base_url.rstrip('/')}/engagements/{engagement_id}/scans/{scan_id}"
    queued = 0
    for email, account_id, name in await session.execute(_RECIPIENTS, {"e": engagement_id}):
        await enqueue_email(
            session,
            to=email,
            template="scan_complete",
            context={
                "engagement_name": name,
                "status": status,
                "findings": findings,
                "new_findings": new_findings,
                "link": link,
            },
            account_id=account_id,
        )
        queued += 1
    return queued
