"""Account deletion requested from the API: a soft delete at once, hard deletion later.

The account is marked ``deleted`` with ``deleted_at`` (the nightly job of the operations domain
removes it for good), every session and API token of its users is revoked in the same
transaction, sign-in is refused from then on, and an ``account.deletion_requested`` row is
written; the operations hook queues the Stripe cancellation and the users' deletion notices in
the same transaction. Who may ask: a user of the account itself, the partner managing it, or an
admin.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.clock import Clock
from failsafe.accounts.elevate import elevated
from failsafe.accounts.errors import WrongPassword
from failsafe.accounts.models import Account, User
from failsafe.accounts.passwords import PasswordService
from failsafe.accounts.sessions import revoke_user_sessions
from failsafe.accounts.tokens import revoke_user_tokens
from failsafe.audit.service import record
from failsafe.db.actor import Role, UserActor
from failsafe.errors import Forbidden, NotFound
from failsafe.operations.lifecycle import on_account_soft_deleted


def may_delete(actor: UserActor, account: Account) -> bool:
    if account.kind == "internal":
        return False
    if actor.role is Role.ADMIN or account.id == actor.account_id:
        return True
    return actor.role is Role.PARTNER and account.managed_by_account_id == actor.account_id


async def request_account_deletion(
    session: AsyncSession,
    actor: UserActor,
    account_id: uuid.UUID,
    *,
    password: str,
    passwords: PasswordService,
    clock: Clock,
    ip: str | None,
) -> Account:
    """Soft-delete ``account_id`` after re-checking the requester's password."""
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound("account not found")
    if not may_delete(actor, account):
        raise Forbidden("you may not delete this account")
    me = await session.get(User, actor.user_id)
    if me is None or not passwords.verify(me.password_hash, password):
        raise WrongPassword("current password is incorrect")
    if account.status == "deleted":
        return account

    now = clock.now()
    account.status = "deleted"
    account.deleted_at = now
    async with elevated(session, actor, "accounts.deletion"):
        user_ids = list(await session.scalars(select(User.id).where(User.account_id == account.id)))
        sessions = tokens = 0
        for user_id in user_ids:
            sessions += await revoke_user_sessions(session, user_id, now=now, reason="deleted")
            tokens += await revoke_user_tokens(session, user_id, now=now)
        await session.execute(
            update(User).where(User.account_id == account.id).values(status="deleted")
        )
        # Same transaction: the Stripe cancellation and the notices happen iff this commits.
        await on_account_soft_deleted(session, account.id)
    await record(
        session,
        actor,
        "account.deletion_requested",
        account_id=account.id,
        target_type="account",
        target_id=account.id,
        ip=ip,
        details={"users": len(user_ids), "sessions_revoked": sessions, "tokens_revoked": tokens},
    )
    return account
