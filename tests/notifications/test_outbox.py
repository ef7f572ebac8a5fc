"""enqueue_email writes in the caller's transaction and wakes the drain job."""

from __future__ import annotations

import psycopg
import pytest

from failsafe.db.actor import SystemActor
from failsafe.db.engine import Database
from failsafe.notifications.outbox import enqueue_email
from failsafe.notifications.templates import UnknownTemplate


async def test_enqueue_commits_with_the_caller(db: Database, superuser: psycopg.Connection) -> None:
    async with db.transaction(SystemActor("test")) as session:
        first = await enqueue_email(
            session,
            to="a@example.test",
            template="verify_email",
            context={"link": "https://x/v", "hours": 24},
        )
        await enqueue_email(
            session,
            to="b@example.test",
            template="reset_password",
            context={"link": "https://x/r", "minutes": 30},
        )
    rows = superuser.execute("SELECT id, status, attempts FROM email_outbox ORDER BY 1").fetchall()
    assert first in {r[0] for r in rows} and {r[1] for r in rows} == {"queued"}
    drains = superuser.execute(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'notifications:deliver_outbox'"
    ).fetchone()
    assert drains == (1,)


async def test_rolled_back_change_sends_nothing(
    db: Database, superuser: psycopg.Connection
) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction(SystemActor("test")) as session:
            await enqueue_email(
                session,
                to="a@example.test",
                template="verify_email",
                context={"link": "https://x/v", "hours": 24},
            )
            raise RuntimeError("the change failed")
    assert superuser.execute("SELECT count(*) FROM email_outbox").fetchone() == (0,)


async def test_missing_context_fails_in_the_caller(db: Database) -> None:
    async with db.transaction(SystemActor("test")) as session:
        with pytest.raises(UnknownTemplate):
            await enqueue_email(session, to="a@example.test", template="nope", context={})
        with pytest.raises(Exception, match="hours"):
            await enqueue_email(
                session, to="a@example.test", template="verify_email", context={"link": "x"}
            )


async def test_scan_complete_goes_to_customer_and_partner(
    db: Database, superuser: psycopg.Connection
) -> None:
    from failsafe.notifications.scan_complete import queue_scan_complete
    from tests.world import build_world

    world = build_world(superuser)
    superuser.execute("UPDATE users SET email_verified_at = now()")
    engagement = world.engagements["eng_a1"]
    async with db.transaction(SystemActor("scans.notify")) as session:
        queued = await queue_scan_complete(
            session,
            engagement_id=engagement,
            scan_id=engagement,
            status="succeeded",
            findings=3,
            new_findings=1,
            base_url="https://portal.test",
        )
    assert queued == 2
    rows = superuser.execute(
        "SELECT to_address FROM email_outbox WHERE template = 'scan_complete' ORDER BY 1"
    ).fetchall()
    assert rows == [("client_a1.user@example.test",), ("partner_a.user@example.test",)]
