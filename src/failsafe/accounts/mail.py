"""The one way the accounts domain sends email: :func:`send_email`, through the outbox.

Messages are queued in the notifications outbox in the caller's transaction, so a link is
sent only if the change that issued it commits, and a provider outage delays it instead of
losing it. The outbox's configured backend (console by default) delivers them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.notifications.outbox import enqueue_email


async def send_email(
    session: AsyncSession,
    to: str,
    template: str,
    context: Mapping[str, Any],
    *,
    account_id: uuid.UUID | None = None,
) -> None:
    """Queue one templated transactional email in ``session``'s transaction.

    ``account_id`` ties the queued row to the recipient's account, so deleting the account
    removes the message (and the address in it) with everything else.
    """
    await enqueue_email(session, to=to, template=template, context=context, account_id=account_id)
