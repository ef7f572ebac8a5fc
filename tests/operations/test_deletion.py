"""The nightly hard deletion: nothing of the account remains but audit rows."""

from __future__ import annotations

import datetime as dt

import psycopg

from failsafe.operations.deletion import hard_delete_due
from failsafe.runtime import Runtime
from tests.operations.tenant import populate, remaining

NIGHT = dt.datetime(2026, 12, 5, 4, 0, tzinfo=dt.UTC)


def soft_delete(conn: psycopg.Connection, account_id: object, at: dt.datetime) -> None:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        conn.execute(
            "UPDATE accounts SET status = 'deleted', deleted_at = %s WHERE id = %s",
            (at, account_id),
        )


async def test_hard_deletion_removes_everything_but_audit_rows(
    runtime: Runtime, superuser: psycopg.Connection
) -> None:
    storage = runtime.settings.storage_dir
    doomed = populate(superuser, "doomed", storage)
    kept = populate(superuser, "kept", storage)
    soft_delete(superuser, doomed.account_id, NIGHT - dt.timedelta(hours=5))

    # Before 04:00 of the night after: a later soft delete waits for the next run.
    late = populate(superuser, "late", storage)
    soft_delete(superuser, late.account_id, NIGHT + dt.timedelta(minutes=1))

    removed = await hard_delete_due(runtime.database, runtime.settings, now=NIGHT)

    assert [r.subject_id for r in removed] == [doomed.account_id]
    assert remaining(superuser, doomed) == {"audit_log.account_id": 2, "audit_log.engagement_id": 1}
    assert not doomed.report_file.exists()
    assert (
        kept.report_file.exists()
        and remaining(superuser, kept)["engagements.customer_account_id"] == 1
    )
    assert remaining(superuser, late)["accounts.id"] == 1

    audit = superuser.execute(
        "SELECT actor, details FROM audit_log WHERE action = 'account.hard_deleted'"
    ).fetchone()
    assert audit is not None and audit[0] == "system:operations.deletion"
    assert audit[1]["files"] == 1
    assert audit[1]["rows"]["inventory_identities"] == 1
    assert audit[1]["rows"]["accounts"] == 1
    record = superuser.execute(
        "SELECT subject_ref, reason, files_removed, counts FROM deletion_records"
    ).fetchone()
    assert record is not None and record[0] == doomed.account_id and record[1] == "soft_deleted"
    assert record[2] == 1 and record[3]["engagements"] == 1

    # A second run the same night finds nothing (idempotent).
    assert await hard_delete_due(runtime.database, runtime.settings, now=NIGHT) == []


async def test_deletion_runs_as_the_app_role_under_rls(
    runtime: Runtime, superuser: psycopg.Connection
) -> None:
    doomed = populate(superuser, "doomed", runtime.settings.storage_dir)
    soft_delete(superuser, doomed.account_id, NIGHT - dt.timedelta(days=1))
    role = superuser.execute(
        "SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = 'failsafe_app'"
    ).fetchone()
    assert role == (False, False)
    assert len(await hard_delete_due(runtime.database, runtime.settings, now=NIGHT)) == 1
