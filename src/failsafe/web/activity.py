"""Credential activity (a session's ``last_seen_at``, a token's ``last_used_at``), written once
the request is over.

A request holds one pooled connection: its transaction. Writing activity inside that transaction
would lock the credential's row, which sign-out and the MFA step rotate from transactions of
their own; writing it from a second transaction while the first is open takes a second
connection, and under load every request would hold one connection while waiting for another.
So the credential lookup only notes that a write is due (at most once a minute per credential)
and :class:`ActivityMiddleware` writes it after the app has answered, holding nothing else.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from failsafe.accounts.principal import Principal
from failsafe.accounts.sessions import touch_session
from failsafe.accounts.tokens import touch_token
from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.web.context import runtime_of

ACTIVITY_ACTOR = SystemActor("auth.activity")
_DUE = "activity_due"

log = structlog.get_logger(__name__)


def note_activity(request: Request, principal: Principal, now: datetime) -> None:
    """Have the credential's activity written when the request is over."""
    setattr(request.state, _DUE, (principal, now))


async def write_activity(database: Database, principal: Principal, now: datetime) -> None:
    """Record that the credential was used at ``now`` (a revoked one stays as it is)."""
    async with database.transaction(ACTIVITY_ACTOR) as session:
        if principal.via == "session":
            await touch_session(session, principal.credential_id, now=now)
        else:
            await touch_token(session, principal.credential_id, now=now)


class ActivityMiddleware:
    """Writes the activity a request noted, after the app has answered it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            due = scope.get("state", {}).get(_DUE) if scope["type"] == "http" else None
            if due is not None:
                await self._write(Request(scope), *due)

    @staticmethod
    async def _write(request: Request, principal: Principal, now: datetime) -> None:
        try:
            await write_activity(runtime_of(request).database, principal, now)
        except Exception as exc:  # the answer is sent; the next request is due the write again
            log.warning(
                "auth.activity_not_recorded",
                credential_id=str(principal.credential_id),
                error=type(exc).__name__,
            )
