"""The admin console: accounts, engagements, users, and the audit log with filters and CSV.

Admins only; anyone else gets the same 404 as for a page that does not exist. RLS lets an
admin read every row, and the export itself is audit-logged.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from sqlalchemy import func, select

from failsafe.accounts.models import Account, User
from failsafe.audit.service import record
from failsafe.db.actor import Role, UserActor
from failsafe.engagements.models import Engagement
from failsafe.errors import NotFound
from failsafe.portal.audit_query import COLUMNS, AuditFilter, audit_rows
from failsafe.portal.home_query import engagement_rows
from failsafe.portal.pages import page_router
from failsafe.portal.templating import render
from failsafe.web.context import client_ip
from failsafe.web.deps import CurrentActor, DbSession

router = page_router(prefix="/admin")
EXPORT_LIMIT = 50_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def admin_actor(actor: CurrentActor) -> UserActor:
    """The console exists only for admins; for everyone else it does not exist at all."""
    if actor.role is not Role.ADMIN:
        raise NotFound("not found")
    return actor


Admin = Annotated[UserActor, Depends(admin_actor)]


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def audit_filter(
    action: Annotated[str, Query(max_length=100)] = "",
    role: Annotated[str, Query(max_length=20)] = "",
    account_id: Annotated[str, Query(max_length=40)] = "",
    engagement_id: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> AuditFilter:
    """Filters from the query string; anything unparseable is simply not applied."""
    return AuditFilter(
        action=action.strip() or None,
        role=role if role in ("client", "partner", "admin", "system") else None,
        account_id=_uuid(account_id),
        engagement_id=_uuid(engagement_id),
        since=_date(since),
        until=_date(until),
    )


Filters = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("")
async def console(request: Request, _admin: Admin, session: DbSession) -> Response:
    """Accounts with their user and engagement counts."""
    users = select(User.account_id, func.count().label("n")).group_by(User.account_id).subquery()
    engagements = (
        select(Engagement.customer_account_id.label("account_id"), func.count().label("n"))
        .group_by(Engagement.customer_account_id)
        .subquery()
    )
    rows = await session.execute(
        select(Account, users.c.n, engagements.c.n)
        .outerjoin(users, users.c.account_id == Account.id)
        .outerjoin(engagements, engagements.c.account_id == Account.id)
        .order_by(Account.kind, Account.name)
    )
    listed = rows.all()
    names = {account.id: account.name for account, _, _ in listed}
    return render(request, "admin/console.html", tab="accounts", accounts=listed, names=names)


@router.get("/engagements")
async def engagements(request: Request, _admin: Admin, session: DbSession) -> Response:
    """Every engagement (each open is audit-logged by VisibleEngagement)."""
    rows = await engagement_rows(session, sort="customer", limit=5000)
    return render(request, "admin/engagements.html", tab="engagements", rows=rows)


@router.get("/users")
async def users(request: Request, _admin: Admin, session: DbSession) -> Response:
    """Every user with role, status, verification and last sign-in."""
    rows = await session.execute(
        select(User, Account.name)
        .join(Account, Account.id == User.account_id)
        .order_by(User.email)
        .limit(5000)
    )
    return render(request, "admin/users.html", tab="users", users=rows.all())


@router.get("/audit")
async def audit(
    request: Request,
    _admin: Admin,
    session: DbSession,
    filters: Filters,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """The audit log, newest first, 100 rows a page."""
    rows = await audit_rows(session, filters, before=before, limit=101)
    next_before = rows[99]["id"] if len(rows) > 100 else None
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "before"])
    return render(
        request,
        "admin/audit.html",
        tab="audit",
        rows=rows[:100],
        filters=filters,
        query=query,
        next_before=next_before,
    )


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet apps execute cells that start like a formula; prefix them so they stay text.
    return "'" + text if text.startswith(_FORMULA_START) else text


@router.get("/audit.csv")
async def audit_csv(
    request: Request, admin: Admin, session: DbSession, filters: Filters
) -> Response:
    """The filtered audit log as CSV (at most 50,000 rows, newest first)."""
    rows = await audit_rows(session, filters, limit=EXPORT_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[name]) for name in COLUMNS])
    await record(
        session,
        admin,
        "admin.audit_exported",
        target_type="audit_log",
        ip=client_ip(request),
        details={"rows": len(rows)},
    )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": 'attachment; filename="failsafe-audit.csv"',
            "cache-control": "no-store",
        },
    )
