"""Typed dependencies every route uses: who is calling, their transaction, their engagement.

- ``CurrentActor``: the signed-in user (session cookie or ``Authorization: Bearer fs_...``);
  401 when there is none, 403 ``mfa_required`` / ``mfa_enrolment_required`` while the second
  factor is owed. Cookie-authenticated writes must carry the CSRF token (``X-CSRF-Token`` header
  or a ``csrf_token`` form field); bearer tokens are exempt, and read-scoped tokens may only
  read.
- ``DbSession``: one transaction per request as that actor (RLS applies), committed before the
  response is sent, rolled back on any error. It is the same transaction that looked the
  credential up (as the ``auth.resolve`` system actor, read-only), switched to the user first.
- ``VisibleEngagement``: the ``{engagement_id}`` of the path, loaded through RLS; 404 when the
  actor may not see it. Admin reads are audit-logged as ``admin.engagement_read``.
- ``CsrfToken`` / :func:`csrf_token`: the token to embed in forms of the current session.
- ``PendingPrincipal`` / ``PendingDbSession``: for the MFA step and enrolment routes only.

The lookup holds no lock (activity timestamps are written after the response, at most once a
minute: ``failsafe.web.activity``), so routes may rotate or revoke the session from transactions
of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.accounts.crypto import same
from failsafe.accounts.errors import (
    CsrfRejected,
    MfaEnrolmentRequired,
    MfaRequired,
    ReadOnlyToken,
)
from failsafe.accounts.principal import Principal
from failsafe.accounts.sessions import COOKIE_NAME, lookup_session
from failsafe.accounts.tokens import lookup_token
from failsafe.audit.service import record
from failsafe.db.actor import Role, SystemActor, UserActor
from failsafe.db.engine import set_actor
from failsafe.engagements.models import Engagement
from failsafe.errors import NotAuthenticated, NotFound
from failsafe.web.activity import note_activity
from failsafe.web.context import client_ip, clock_of, policy_of, runtime_of

AUTH_ACTOR = SystemActor("auth.resolve")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


# Limitation: the MFA step and password change routes call accounts services that open
# transactions of their own while the request's is open (their rate-limit hits must commit even
# when the request fails): two pooled connections for those requests, which the pool's overflow
# leaves room for. Ending the request's transaction before them would make every request hold one.
async def _request_transaction(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: opened as the credential-lookup system actor, switched to
    the authenticated user (``set_actor``) before any route code sees it."""
    async with runtime_of(request).database.transaction(AUTH_ACTOR) as session:
        yield session


# scope="function": the transaction commits before the response is sent, so a client never
# sees success for a write that then fails to commit.
_RequestTransaction = Annotated[AsyncSession, Depends(_request_transaction, scope="function")]


async def _lookup(request: Request, session: AsyncSession) -> Principal | None:
    """Resolve the caller's credential once per request (cached on ``request.state``)."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached

    now = clock_of(request).now()
    authorization = request.headers.get("authorization")
    cookie = request.cookies.get(COOKIE_NAME)
    found: tuple[Principal, bool] | None = None
    if authorization is not None:
        # An Authorization header is never silently ignored in favour of a cookie.
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value:
            found = await lookup_token(session, value.strip(), now=now)
    elif cookie:
        found = await lookup_session(session, cookie, now=now, policy=policy_of(request))
    principal = found[0] if found else None
    if found is not None and found[1]:
        note_activity(request, found[0], now)
    request.state.principal = principal
    return principal


async def _check_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or principal.via != "session":
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    expected = principal.csrf_token
    if not sent or expected is None or not same(sent, expected):
        raise CsrfRejected("missing or invalid CSRF token")


async def pending_principal(request: Request, session: _RequestTransaction) -> Principal:
    """Any valid credential, even one still owing MFA (CSRF and token scope enforced)."""
    principal = await _lookup(request, session)
    if principal is None:
        raise NotAuthenticated("sign in required")
    await _check_csrf(request, principal)
    if principal.scope == "read" and request.method not in SAFE_METHODS:
        raise ReadOnlyToken("this API token is read-only")
    return principal


PendingPrincipal = Annotated[Principal, Depends(pending_principal)]


async def current_principal(principal: PendingPrincipal) -> Principal:
    """A fully authenticated principal: password and, where enrolled or mandatory, MFA."""
    if principal.needs_mfa_step:
        raise MfaRequired("complete the MFA step first")
    if principal.needs_enrolment:
        raise MfaEnrolmentRequired("enrol multi-factor authentication first")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_actor(principal: CurrentPrincipal) -> UserActor:
    return principal.actor


CurrentActor = Annotated[UserActor, Depends(current_actor)]


async def db_session(actor: CurrentActor, session: _RequestTransaction) -> AsyncSession:
    """The request's transaction, now as the fully authenticated actor (RLS applies)."""
    await set_actor(session, actor)
    return session


DbSession = Annotated[AsyncSession, Depends(db_session)]


async def pending_db_session(
    principal: PendingPrincipal, session: _RequestTransaction
) -> AsyncSession:
    """The request's transaction as a user who may still owe the MFA step (MFA routes only)."""
    await set_actor(session, principal.actor)
    return session


PendingDbSession = Annotated[AsyncSession, Depends(pending_db_session)]


async def visible_engagement(
    engagement_id: uuid.UUID, request: Request, actor: CurrentActor, session: DbSession
) -> Engagement:
    """The one access check of every engagement route: load through RLS or answer 404."""
    engagement = await session.get(Engagement, engagement_id)
    if engagement is None:
        raise NotFound("engagement not found")
    if actor.role is Role.ADMIN:
        action = (
            "admin.engagement_read" if request.method in SAFE_METHODS else "admin.engagement_write"
        )
        route = request.scope.get("route")
        await record(
            session,
            actor,
            action,
            engagement_id=engagement.id,
            target_type="engagement",
            target_id=engagement.id,
            ip=client_ip(request),
            details={"method": request.method, "route": getattr(route, "path", "")},
        )
    return engagement


VisibleEngagement = Annotated[Engagement, Depends(visible_engagement)]


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session, for forms (resolve the principal first)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None or principal.csrf_token is None:
        raise NotAuthenticated("sign in required")
    return principal.csrf_token


async def _csrf_dependency(request: Request, _principal: PendingPrincipal) -> str:
    return csrf_token(request)


CsrfToken = Annotated[str, Depends(_csrf_dependency)]
