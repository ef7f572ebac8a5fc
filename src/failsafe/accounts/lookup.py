"""Finding a user by email or id before anyone is signed in (system actor)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.models import Account, User


def normalise_email(email: str) -> str:
    """Emails are stored lower-cased and trimmed (the users table insists)."""
    return email.strip().lower()


# The id of a user who may sign in (as can_sign_in), by email, without loading any object: an
# indexed statement that costs the same whether it finds someone or not.
_ACTIVE_USER_ID = text(
    "SELECT u.id FROM users u JOIN accounts a ON a.id = u.account_id"
    " WHERE u.email = :email AND u.status = 'active' AND a.status = 'active'"
)


async def user_by_email(session: AsyncSession, email: str) -> tuple[User, Account] | None:
    return await _user_and_account(session, User.email == normalise_email(email))


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> tuple[User, Account] | None:
    return await _user_and_account(session, User.id == user_id)


async def active_user_id(session: AsyncSession, email: str) -> uuid.UUID | None:
    """The id of the user behind ``email`` when they may sign in, else None."""
    found: uuid.UUID | None = await session.scalar(
        _ACTIVE_USER_ID, {"email": normalise_email(email)}
    )
    return found


async def _user_and_account(
    session: AsyncSession, where: ColumnElement[bool]
) -> tuple[User, Account] | None:
    row = (
        await session.execute(
            select(User, Account).join(Account, Account.id == User.account_id).where(where)
        )
    ).one_or_none()
    if row is None:
        return None
    return row[0], row[1]


def can_sign_in(user: User, account: Account) -> bool:
    return user.status == "active" and account.status == "active"
