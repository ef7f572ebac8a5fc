"""Retention: 12 months after completion, 90 days after termination, 24 months of audit."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import psycopg

from failsafe.db.urls import DatabaseTarget
from failsafe.operations.retention import apply_retention, plan_retention
from failsafe.runtime import Runtime
from tests.operations.tenant import populate, remaining

NOW = dt.datetime(2027, 6, 1, 4, 30, tzinfo=dt.UTC)


def as_system(conn: psycopg.Connection, sql: str, params: tuple[object, ...]) -> None:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        conn.execute(sql, params)


def complete(conn: psycopg.Connection, engagement_id: object, at: dt.datetime) -> None:
    as_system(
        conn,
        "UPDATE engagements SET status = 'completed', completed_at = %s WHERE id = %s",
        (at, engagement_id),
    )


async def test_retention_removes_only_what_expired(
    runtime: Runtime, superuser: psycopg.Connection
) -> None:
    storage = runtime.settings.storage_dir
    old = populate(superuser, "old", storage)
    recent = populate(superuser, "recent", storage)
    gone = populate(superuser, "gone", storage)
    staying = populate(superuser, "staying", storage)
    complete(superuser, old.engagement_id, NOW - dt.timedelta(days=370))
    complete(superuser, recent.engagement_id, NOW - dt.timedelta(days=300))
    as_system(
        superuser,
        "UPDATE accounts SET terminated_at = %s WHERE id = %s",
        (NOW - dt.timedelta(days=91), gone.account_id),
    )
    as_system(
        superuser,
        "UPDATE accounts SET terminated_at = %s WHERE id = %s",
        (NOW - dt.timedelta(days=60), staying.account_id),
    )
    superuser.execute(
        "INSERT INTO audit_log (occurred_at, actor, actor_role, action)"
        " VALUES (now() - interval '25 months', 'system:test', 'system', 'old.event'),"
        " (now() - interval '23 months', 'system:test', 'system', 'young.event')"
    )

    plan = await plan_retention(runtime.database, runtime.settings, now=NOW)
    assert [e for e, _ in plan.engagements] == [old.engagement_id]
    assert [a for a, _ in plan.accounts] == [gone.account_id]
    assert plan.audit_rows == 1 and plan.engagement_files == 1

    result = await apply_retention(runtime.database, runtime.settings, now=NOW)
    summary = result.summary()
    assert summary["engagements"] == 1 and summary["accounts"] == 1
    assert summary["audit_rows"] == 1

    left = remaining(superuser, old)
    assert "engagements.engagement_id" not in left and "scans.engagement_id" not in left
    assert "inventory_identities.engagement_id" not in left
    assert left["accounts.id"] == 1, "the account itself stays; only the engagement expired"
    assert not old.report_file.exists() and recent.report_file.exists()
    assert set(remaining(superuser, gone)) <= {"audit_log.account_id", "audit_log.engagement_id"}
    assert remaining(superuser, staying)["engagements.customer_account_id"] == 1
    actions = [r[0] for r in superuser.execute("SELECT action FROM audit_log ORDER BY id")]
    assert "old.event" not in actions and "young.event" in actions
    assert "engagement.retention_deleted" in actions and "account.hard_deleted" in actions

    again = await apply_retention(runtime.database, runtime.settings, now=NOW)
    assert again.summary()["engagements"] == 0 and again.summary()["accounts"] == 0


def test_dry_run_prints_and_changes_nothing(
    fresh_target: DatabaseTarget, superuser: psycopg.Connection, tmp_path: object
) -> None:
    tenant = populate(superuser, "old", tmp_path / "storage")  # type: ignore[operator]
    complete(superuser, tenant.engagement_id, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    env = {
        **os.environ,
        "DATABASE_URL": fresh_target.bootstrap_url,
        "FAILSAFE_APP_DATABASE_URL": fresh_target.app_url,
        "FAILSAFE_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-m", "failsafe", "retention", "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "engagements completed over 12 months ago: 1" in out.stdout
    assert str(tenant.engagement_id) in out.stdout
    assert "report files of those engagements: 1" in out.stdout
    assert superuser.execute("SELECT count(*) FROM engagements").fetchone() == (1,)
