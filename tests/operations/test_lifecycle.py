"""The soft-delete hook queues the Stripe cancellation and the notices in the same
transaction; the schedule finds due connections only."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from failsafe.db.actor import SystemActor
from failsafe.operations.lifecycle import on_account_soft_deleted
from failsafe.operations.schedule import due_connections, schedule_due_scans
from failsafe.runtime import Runtime
from tests.operations.tenant import populate


async def test_soft_delete_hook_queues_cancel_and_notice(
    runtime: Runtime, superuser: psycopg.Connection
) -> None:
    tenant = populate(superuser, "leaving", runtime.settings.storage_dir)
    superuser.execute("DELETE FROM email_outbox")
    async with runtime.database.transaction(SystemActor("test")) as session:
        await on_account_soft_deleted(session, tenant.account_id)
        await on_account_soft_deleted(session, tenant.account_id)  # a repeat queues no 2nd job
    jobs = superuser.execute(
        "SELECT args->>'account_id' FROM procrastinate_jobs"
        " WHERE task_name = 'billing:cancel_subscription'"
    ).fetchall()
    assert jobs == [(str(tenant.account_id),)]
    notices = superuser.execute(
        "SELECT to_address FROM email_outbox WHERE template = 'account_deletion_scheduled'"
    ).fetchall()
    assert notices[0] == ("leaving@example.test",)


async def test_soft_delete_hook_rolls_back_with_the_caller(
    runtime: Runtime, superuser: psycopg.Connection
) -> None:
    tenant = populate(superuser, "staying", runtime.settings.storage_dir)
    with pytest.raises(RuntimeError):
        async with runtime.database.transaction(SystemActor("test")) as session:
            await on_account_soft_deleted(session, tenant.account_id)
            raise RuntimeError("soft delete failed")
    assert superuser.execute(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'billing:cancel_subscription'"
    ).fetchone() == (0,)


def _system(conn: psycopg.Connection, sql: str, params: tuple[object, ...]) -> None:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        conn.execute(sql, params)


async def test_due_selection(runtime: Runtime, superuser: psycopg.Connection) -> None:
    now = dt.datetime.now(dt.UTC)
    due = populate(superuser, "due", runtime.settings.storage_dir)
    fresh = populate(superuser, "fresh", runtime.settings.storage_dir)
    monthly = populate(superuser, "monthly", runtime.settings.storage_dir)
    deleted = populate(superuser, "deleted", runtime.settings.storage_dir)
    for tenant, days in ((due, 8), (fresh, 2), (monthly, 8), (deleted, 8)):
        _system(
            superuser,
            "UPDATE connections SET last_scan_at = %s WHERE id = %s",
            (now - dt.timedelta(days=days), tenant.connection_id),
        )
    _system(
        superuser,
        "UPDATE engagements SET scan_interval_days = 30 WHERE id = %s",
        (monthly.engagement_id,),
    )
    _system(
        superuser,
        "UPDATE accounts SET status = 'deleted', deleted_at = now() WHERE id = %s",
        (deleted.account_id,),
    )
    async with runtime.database.transaction(SystemActor("test")) as session:
        found = await due_connections(session, now)
    assert found == [(due.connection_id, due.engagement_id)]

    assert await schedule_due_scans(runtime.database, now=now) == {"queued": 1, "skipped": 0}
    # The queued scan makes the connection not due any more.
    assert await schedule_due_scans(runtime.database, now=now) == {"queued": 0, "skipped": 0}
    assert superuser.execute(
        "SELECT count(*) FROM scans WHERE trigger = 'scheduled' AND connection_id = %s",
        (due.connection_id,),
    ).fetchone() == (1,)
