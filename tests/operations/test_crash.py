"""Kill a worker in the middle of each job type; another worker completes it exactly once.

The job blocks at a named checkpoint on an advisory lock the test holds, the worker is killed
with SIGKILL, its job is found stalled (no heartbeat) and retried, and a second worker runs
it to completion.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from failsafe.db.actor import SystemActor
from failsafe.db.urls import DatabaseTarget
from failsafe.notifications.outbox import enqueue_email
from failsafe.runtime import Runtime
from failsafe.secrets.keyring import generate_key
from tests.billing.fake_stripe import FakeStripe, stripe_app
from tests.operations import crash
from tests.operations.servers import serve
from tests.operations.tenant import Tenant, populate, remaining
from tests.operations.worker_script import lock_key


@dataclass
class Case:
    checkpoint: str
    job_id: int
    check: Callable[[], None]


def system(conn: psycopg.Connection, sql: str, params: tuple[object, ...] = ()) -> None:
    with conn.transaction():
        conn.execute("SELECT set_config('failsafe.role', 'system', true)")
        conn.execute(sql, params)


def count(conn: psycopg.Connection, sql: str, params: tuple[object, ...] = ()) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])


def slot_now() -> int:
    return int(time.time()) // 60 * 60


@pytest.fixture
def stripe_fake() -> Iterator[tuple[FakeStripe, str]]:
    fake = FakeStripe()
    with serve(stripe_app(fake)) as url:
        yield fake, url


async def _hard_delete(conn: psycopg.Connection, tenant: Tenant, **_: Any) -> Case:
    system(
        conn,
        "UPDATE accounts SET status = 'deleted', deleted_at = now() - interval '1 hour'"
        " WHERE id = %s",
        (tenant.account_id,),
    )
    job = crash.defer(conn, "operations:hard_delete", "operations", {"timestamp": slot_now()})

    def check() -> None:
        assert count(conn, "SELECT count(*) FROM deletion_records") == 1
        assert (
            count(conn, "SELECT count(*) FROM audit_log WHERE action = 'account.hard_deleted'") == 1
        )
        assert set(remaining(conn, tenant)) <= {"audit_log.account_id", "audit_log.engagement_id"}

    return Case("deletion.account", job, check)


async def _retention(conn: psycopg.Connection, tenant: Tenant, **_: Any) -> Case:
    system(
        conn,
        "UPDATE engagements SET status = 'completed', completed_at = now() - interval '2 years'"
        " WHERE id = %s",
        (tenant.engagement_id,),
    )
    job = crash.defer(conn, "operations:retention", "operations", {"timestamp": slot_now()})

    def check() -> None:
        assert count(conn, "SELECT count(*) FROM deletion_records") == 1
        assert (
            count(
                conn, "SELECT count(*) FROM audit_log WHERE action = 'engagement.retention_deleted'"
            )
            == 1
        )
        assert count(conn, "SELECT count(*) FROM job_runs WHERE finished_at IS NOT NULL") == 1

    return Case("operations.retention", job, check)


async def _deliver(
    conn: psycopg.Connection, tenant: Tenant, runtime: Runtime, data: Path, **_: Any
) -> Case:
    async with runtime.database.transaction(SystemActor("test")) as session:
        await enqueue_email(
            session,
            to="crash@example.test",
            template="verify_email",
            context={"link": "https://x/v", "hours": 24},
        )
    row = conn.execute(
        "SELECT id FROM procrastinate_jobs WHERE task_name = 'notifications:deliver_outbox'"
    ).fetchone()
    assert row is not None

    def check() -> None:
        assert len(list((data / "mail").glob("*.eml"))) == 1
        assert conn.execute(
            "SELECT status, attempts FROM email_outbox WHERE to_address = 'crash@example.test'"
        ).fetchone() == ("sent", 1)

    return Case("notifications.deliver_outbox", int(row[0]), check)


async def _digest(conn: psycopg.Connection, tenant: Tenant, **_: Any) -> Case:
    job = crash.defer(
        conn, "notifications:weekly_digest", "notifications", {"timestamp": slot_now()}
    )

    def check() -> None:
        assert count(conn, "SELECT count(*) FROM email_outbox WHERE stream = 'digest'") == 1

    return Case("notifications.weekly_digest", job, check)


async def _cancel(
    conn: psycopg.Connection, tenant: Tenant, stripe: tuple[FakeStripe, str], **_: Any
) -> Case:
    fake, _url = stripe
    sub_id = fake.add_subscription("cus_doomed", "price_failsafe_direct_monthly")
    conn.execute(
        "UPDATE billing_subscriptions SET stripe_subscription_id = %s, status = 'active',"
        " plan = 'direct_monthly' WHERE account_id = %s",
        (sub_id, tenant.account_id),
    )
    job = crash.defer(
        conn, "billing:cancel_subscription", "billing", {"account_id": str(tenant.account_id)}
    )

    def check() -> None:
        cancels = [r for r in fake.requests if r[0] == "DELETE"]
        assert len(cancels) == 1 and fake.subscriptions[sub_id]["status"] == "canceled"
        assert conn.execute(
            "SELECT status FROM billing_subscriptions WHERE account_id = %s", (tenant.account_id,)
        ).fetchone() == ("canceled",)

    return Case("billing.cancel_subscription", job, check)


async def _schedule(conn: psycopg.Connection, tenant: Tenant, **_: Any) -> Case:
    system(
        conn,
        "UPDATE connections SET created_at = now() - interval '10 days' WHERE id = %s",
        (tenant.connection_id,),
    )
    system(conn, "DELETE FROM scans WHERE connection_id = %s", (tenant.connection_id,))
    job = crash.defer(conn, "operations:schedule_scans", "operations", {"timestamp": slot_now()})

    def check() -> None:
        assert count(conn, "SELECT count(*) FROM scans WHERE trigger = 'scheduled'") == 1
        assert (
            count(
                conn, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'scans:run_scan'"
            )
            == 1
        )

    return Case("operations.schedule_scans", job, check)


CASES = {
    "hard_delete": _hard_delete,
    "retention": _retention,
    "deliver_outbox": _deliver,
    "weekly_digest": _digest,
    "cancel_subscription": _cancel,
    "schedule_scans": _schedule,
}


@pytest.mark.parametrize("kind", list(CASES))
async def test_killed_worker_job_completes_exactly_once(
    kind: str,
    runtime: Runtime,
    fresh_target: DatabaseTarget,
    superuser: psycopg.Connection,
    tmp_path: Path,
    stripe_fake: tuple[FakeStripe, str],
) -> None:
    data = tmp_path / "worker-data"
    tenant = populate(superuser, f"crash{uuid.uuid4().hex[:6]}", data / "storage")
    superuser.execute("DELETE FROM email_outbox")
    superuser.execute("DELETE FROM procrastinate_jobs")
    case = await CASES[kind](superuser, tenant, runtime=runtime, data=data, stripe=stripe_fake)
    env = crash.worker_env(
        fresh_target,
        data,
        {
            "FAILSAFE_SECRET_KEYS": f"k1:{generate_key()}",
            "FAILSAFE_STRIPE_API_BASE": stripe_fake[1],
            "FAILSAFE_STRIPE_SECRET_KEY": stripe_fake[0].key,
        },
    )

    with psycopg.connect(fresh_target.bootstrap_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(hashtext(%s))", (lock_key(case.checkpoint),))
        first = crash.start_worker(env, "fs-test-worker-1", "wait")
        try:
            crash.wait_until(lambda: crash.blocked_at_checkpoint(superuser), "the checkpoint")
            assert crash.job_status(superuser, case.job_id) == "doing"
        finally:
            crash.kill_worker(superuser, first, "fs-test-worker-1")
        assert crash.job_status(superuser, case.job_id) == "doing"
        assert await crash.recover_stalled(fresh_target) >= 1
        holder.execute("SELECT pg_advisory_unlock(hashtext(%s))", (lock_key(case.checkpoint),))

    second = crash.start_worker(env, "fs-test-worker-2", "once")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output
    assert crash.job_status(superuser, case.job_id) == "succeeded", output
    case.check()
