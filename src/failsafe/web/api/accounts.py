"""``/accounts``: accounts visible to the caller, their users (invitations), deletion."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from failsafe.accounts import deletion, service
from failsafe.accounts.context import AuthContext
from failsafe.accounts.models import Account, User
from failsafe.web.api.schemas import ERRORS, Email, In
from failsafe.web.context import auth_context, client_ip
from failsafe.web.deps import CurrentActor, DbSession

router = APIRouter(prefix="/accounts", tags=["accounts"], responses=ERRORS)
Ctx = Annotated[AuthContext, Depends(auth_context)]


class AccountOut(BaseModel):
    id: uuid.UUID
    kind: str
    name: str
    managed_by_account_id: uuid.UUID | None
    status: str
    created_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, row: Account) -> AccountOut:
        return cls(
            id=row.id,
            kind=row.kind,
            name=row.name,
            managed_by_account_id=row.managed_by_account_id,
            status=row.status,
            created_at=row.created_at,
            deleted_at=row.deleted_at,
        )


class AccountIn(In):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["customer", "partner"] = "customer"


class UserOut(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    email: str
    display_name: str
    role: str
    status: str
    email_verified: bool
    last_sign_in_at: datetime | None

    @classmethod
    def of(cls, row: User) -> UserOut:
        return cls(
            id=row.id,
            account_id=row.account_id,
            email=row.email,
            display_name=row.display_name,
            role=row.role,
            status=row.status,
            email_verified=row.email_verified_at is not None,
            last_sign_in_at=row.last_sign_in_at,
        )


class InviteIn(In):
    email: Email
    name: str = Field(min_length=1, max_length=200)


class DeletionIn(In):
    password: str = Field(min_length=1, max_length=1024, description="Your current password.")


@router.get("", response_model=list[AccountOut])
async def list_accounts(_actor: CurrentActor, session: DbSession) -> list[AccountOut]:
    """Accounts the caller may see (its own; a partner's clients; all for admins)."""
    return [AccountOut.of(row) for row in await service.list_accounts(session)]


@router.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
async def create_account(
    body: AccountIn, request: Request, actor: CurrentActor, session: DbSession
) -> AccountOut:
    """Partners create client accounts they manage; admins create customers and partners."""
    account = await service.create_account(
        session, actor, name=body.name, kind=body.kind, ip=client_ip(request)
    )
    return AccountOut.of(account)


@router.get("/{account_id}", response_model=AccountOut)
async def get_account(
    account_id: uuid.UUID, _actor: CurrentActor, session: DbSession
) -> AccountOut:
    """One visible account (404 otherwise)."""
    return AccountOut.of(await service.visible_account(session, account_id))


@router.get("/{account_id}/users", response_model=list[UserOut])
async def list_users(
    account_id: uuid.UUID, _actor: CurrentActor, session: DbSession
) -> list[UserOut]:
    """The users of a visible account."""
    account = await service.visible_account(session, account_id)
    return [UserOut.of(row) for row in await service.list_users(session, account)]


@router.post("/{account_id}/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def invite(
    account_id: uuid.UUID,
    body: InviteIn,
    request: Request,
    actor: CurrentActor,
    session: DbSession,
    ctx: Ctx,
) -> UserOut:
    """Invite a user to the account (they choose their password from the emailed link)."""
    account = await service.visible_account(session, account_id)
    user = await service.invite_user(
        session,
        actor,
        account,
        email=body.email,
        name=body.name,
        link_base=ctx.settings.public_base_url.rstrip("/"),
        now=ctx.clock.now(),
        ip=client_ip(request),
    )
    return UserOut.of(user)


@router.post("/{account_id}/deletion", response_model=AccountOut)
async def request_deletion(
    account_id: uuid.UUID,
    body: DeletionIn,
    request: Request,
    actor: CurrentActor,
    session: DbSession,
    ctx: Ctx,
) -> AccountOut:
    """Delete the account: soft at once (sign-in refused, sessions and tokens revoked)."""
    account = await deletion.request_account_deletion(
        session,
        actor,
        account_id,
        password=body.password,
        passwords=ctx.passwords,
        clock=ctx.clock,
        ip=client_ip(request),
    )
    return AccountOut.of(account)
