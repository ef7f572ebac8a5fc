"""``/me/tokens``: personal API tokens for automation (managed from a browser session)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from failsafe.accounts import tokens
from failsafe.accounts.context import AuthContext
from failsafe.accounts.models import ApiToken
from failsafe.audit.service import record
from failsafe.errors import BadRequest, NotFound
from failsafe.web.api.schemas import ERRORS, In, OkOut
from failsafe.web.context import auth_context, client_ip
from failsafe.web.deps import CurrentPrincipal, DbSession

router = APIRouter(prefix="/me/tokens", tags=["tokens"], responses=ERRORS)
Ctx = Annotated[AuthContext, Depends(auth_context)]


class TokenIn(In):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "write"] = "read"
    expires_at: datetime | None = None


class TokenOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> TokenOut:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            scope=row.scope,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )


class IssuedOut(TokenOut):
    token: str = Field(description="The token itself; shown only in this answer.")


@router.get("", response_model=list[TokenOut])
async def list_tokens(principal: CurrentPrincipal, session: DbSession) -> list[TokenOut]:
    """The caller's tokens."""
    return [TokenOut.of(row) for row in await tokens.list_tokens(session, principal.actor)]


@router.post("", response_model=IssuedOut, status_code=status.HTTP_201_CREATED)
async def issue(
    body: TokenIn, request: Request, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> IssuedOut:
    """Create a token (from a browser session only: a token cannot mint tokens)."""
    if principal.via != "session":
        raise BadRequest("API tokens are created from a signed-in browser session")
    now = ctx.clock.now()
    if body.expires_at is not None and (body.expires_at.tzinfo is None or body.expires_at <= now):
        raise BadRequest("expires_at must be a future time with a timezone")
    issued = await tokens.issue_token(
        session,
        principal.actor,
        name=body.name,
        scope=body.scope,
        now=now,
        expires_at=body.expires_at,
    )
    await record(
        session,
        principal.actor,
        "api_token.created",
        target_type="api_token",
        target_id=issued.token.id,
        ip=client_ip(request),
        details={"scope": body.scope},
    )
    return IssuedOut(**TokenOut.of(issued.token).model_dump(), token=issued.raw)


@router.delete("/{token_id}", response_model=OkOut)
async def revoke(
    token_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
) -> OkOut:
    """Revoke a token at once."""
    if not await tokens.revoke_token(session, principal.actor, token_id, now=ctx.clock.now()):
        raise NotFound("token not found")
    await record(
        session,
        principal.actor,
        "api_token.revoked",
        target_type="api_token",
        target_id=token_id,
        ip=client_ip(request),
    )
    return OkOut(status="revoked")
