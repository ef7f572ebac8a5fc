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
