"""The hook the accounts domain calls when it soft-deletes an account.

:func:`on_account_soft_deleted` runs in the soft-delete transaction: it queues the Stripe
cancellation job and the deletion notice to the account's users, so both happen if and only if
the soft delete commits. The Stripe call itself runs in the worker (``billing:cancel``), never
inside a web request's transaction.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.notifications.outbox import enqueue_email
from failsafe.operations.defer import defer_in_transaction

log = structlog.get_logger(__name__)

CANCEL_TASK = "billing:cancel_subscription"

_ACCOUNT = text("SELECT name FROM accounts WHERE id = :a")
_RECIPIENTS = text(
    "SELECT email FROM users WHERE account_id = :a AND email_verified_at IS NOT NULL"
    " ORDER BY created_at LIMIT 20"
)


async def on_account_soft_deleted(session: AsyncSession, account_id: uuid.UUID) -> None:
    """Queue the subscription cancellation and the deletion notices for ``account_id``.

    Call it in the same transaction that sets ``accounts.status = 'deleted'``.
    """
    await defer_in_transaction(
        session,
        CANCEL_TASK,
        queue="billing",
        args={"account_id": str(account_id)},
        queueing_lock=f"billing.cancel.{account_id}",
    )
    name_row = (await session.execute(_ACCOUNT, {"a": account_id})).first()
    account_name = name_row[0] if name_row else ""
    # Limitation: a notice still queued when the 04:00 job removes the account is removed with
    # it (it carries the account's address); with the minutely drain that needs an outage of
    # hours. Delaying hard deletion until the account's outbox is empty would close it.
    for (email,) in await session.execute(_RECIPIENTS, {"a": account_id}):
        await enqueue_email(
            session,
            to=email,
            template="account_deletion_scheduled",
            context={"account_name": account_name},
            account_id=account_id,
        )
    log.info("account.soft_delete_hooks_queued", account_id=str(account_id))
