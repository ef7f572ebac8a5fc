"""Finding a user by email before anyone is signed in (system actor)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.models import Account, User


def normalise_email(email: str) -> str:
    """Emails are stored lower-cased and trimmed (the users table insists)."""
    return email.strip().lower()


async def user_by_email(session: AsyncSession, email: str) -> tuple[User, Account] | None:
    row = (
        await session.execute(
            select(User, Account)
            .join(Account, Account.id == User.account_id)
            .where(User.email == normalise_email(email))
        )
    ).one_or_none()
    if row is None:
        return None
    return row[0], row[1]


def can_sign_in(user: User, account: Account) -> bool:
    return user.status == "active" and account.status == "active"
