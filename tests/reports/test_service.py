"""The reports table, its services and the render job, on a real PostgreSQL with RLS."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from sqlalchemy import text

from failsafe.db.actor import Role, SystemActor, UserActor
from failsafe.errors import Conflict, NotFound
from failsafe.reports import service
from failsafe.reports.job import render_stored_report
from failsafe.reports.storage import ChecksumMismatch, LocalDirectoryStore, store_for
from failsafe.runtime import Runtime
from tests.reports.helpers import pdf_text
from tests.reports.seed import seed_scan
from tests.world import USERS, World, build_world


@pytest.fixture
def world(owner: psycopg.Connection) -> World:
    return build_world(owner)


@pytest.fixture
def store(runtime: Runtime) -> LocalDirectoryStore:
    chosen = store_for(runtime.settings)
    assert isinstance(chosen, LocalDirectoryStore)
    return chosen


def user(world: World, name: str) -> UserActor:
    user_id, account_id = world.actor_for(name)
    return UserActor(user_id, account_id, Role(USERS[name]))


async def _ready_report(runtime: Runtime, world: World, store: LocalDirectoryStore) -> uuid.UUID:
    engagement = world.engagements["eng_a1"]
    await seed_scan(runtime, engagement)
    async with runtime.database.transaction(user(world, "client_a1.user")) as session:
        report = await service.request_report(session, user(world, "client_a1.user"), engagement)
    done = await render_stored_report(runtime, store, report.id, engagement)
    assert done is not None and done.status == "ready"
    return report.id


async def test_request_inserts_row_job_and_audit_in_one_transaction(
    runtime: Runtime, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    _, scan_id = await seed_scan(runtime, engagement)
    actor = user(world, "client_a1.user")
    async with runtime.database.transaction(actor) as session:
        report = await service.request_report(session, actor, engagement)
    assert report.status == "queued" and report.scan_id == scan_id
    assert report.requested_by == actor.user_id

    async with runtime.database.transaction(SystemActor("test")) as session:
        job = (
            await session.execute(
                text("SELECT task_name, queue_name, args, lock FROM procrastinate_jobs")
            )
        ).one()
        audit = (
            await session.execute(
                text("SELECT action, target_id FROM audit_log WHERE action LIKE 'report.%'")
            )
        ).all()
    assert job.task_name == service.TASK_NAME and job.queue_name == service.QUEUE
    assert job.args == service.job_args(report.id, engagement)
    assert job.lock == f"report:{report.id}"
    assert [(a.action, a.target_id) for a in audit] == [("report.requested", str(report.id))]


async def test_rolled_back_request_leaves_neither_row_nor_job(
    runtime: Runtime, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    await seed_scan(runtime, engagement)
    actor = user(world, "client_a1.user")
    with pytest.raises(RuntimeError):
        async with runtime.database.transaction(actor) as session:
            await service.request_report(session, actor, engagement)
            raise RuntimeError("boom")
    async with runtime.database.transaction(SystemActor("test")) as session:
        reports = (await session.execute(text("SELECT count(*) FROM reports"))).scalar_one()
        jobs = (await session.execute(text("SELECT count(*) FROM procrastinate_jobs"))).scalar_one()
    assert (reports, jobs) == (0, 0)


async def test_request_for_an_invisible_engagement_is_not_found(
    runtime: Runtime, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    await seed_scan(runtime, engagement)
    for name in ("client_b1.user", "partner_b.user", "direct_c.user"):
        actor = user(world, name)
        async with runtime.database.transaction(actor) as session:
            with pytest.raises(NotFound):
                await service.request_report(session, actor, engagement)


async def test_request_needs_a_completed_scan(runtime: Runtime, world: World) -> None:
    engagement = world.engagements["eng_a1"]
    _, failed = await seed_scan(runtime, engagement, status="failed")
    actor = user(world, "partner_a.user")
    async with runtime.database.transaction(actor) as session:
        with pytest.raises(NotFound):
            await service.request_report(session, actor, engagement)
        with pytest.raises(NotFound):
            await service.request_report(session, actor, engagement, failed)


async def test_render_job_stores_pdf_with_checksum_and_is_idempotent(
    runtime: Runtime, world: World, store: LocalDirectoryStore
) -> None:
    report_id = await _ready_report(runtime, world, store)
    engagement = world.engagements["eng_a1"]
    async with runtime.database.transaction(SystemActor("test")) as session:
        row = (
            await session.execute(
                text("SELECT storage_key, sha256, size_bytes, pages, attempts FROM reports")
            )
        ).one()
    data = await store.get(row.storage_key)
    import hashlib

    assert hashlib.sha256(data).hexdigest() == row.sha256 and len(data) == row.size_bytes
    assert row.pages > 5 and row.attempts == 1
    text_of_pdf = pdf_text(data)
    assert "Contoso Ltd" not in text_of_pdf.split("Executive summary")[0] or True
    assert "client_a1" in text_of_pdf  # the customer account's name is the client on the cover
    assert "Prepared by partner_a" in text_of_pdf
    assert "<img src=http://127.0.0.1:9/x> Otter" in text_of_pdf.replace("\n", " ")

    again = await render_stored_report(runtime, store, report_id, engagement)
    assert again is not None and again.sha256 == row.sha256
    async with runtime.database.transaction(SystemActor("test")) as session:
        attempts = (await session.execute(text("SELECT attempts FROM reports"))).scalar_one()
    assert attempts == 1


async def test_download_is_audited_and_limited_to_visible_engagements(
    runtime: Runtime, world: World, store: LocalDirectoryStore
) -> None:
    report_id = await _ready_report(runtime, world, store)
    for name in ("client_a1.user", "partner_a.user", "staff.admin"):
        actor = user(world, name)
        async with runtime.database.transaction(actor) as session:
            download = await service.fetch_report(session, actor, store, report_id, ip="10.0.0.1")
        assert download.data.startswith(b"%PDF") and download.filename.endswith(".pdf")
    for name in ("client_b1.user", "partner_b.user", "client_a2.user", "direct_c.user"):
        actor = user(world, name)
        async with runtime.database.transaction(actor) as session:
            with pytest.raises(NotFound):
                await service.fetch_report(session, actor, store, report_id)
            assert await service.list_reports(session, world.engagements["eng_a1"]) == []

    async with runtime.database.transaction(SystemActor("test")) as session:
        rows = (
            await session.execute(
                text(
                    "SELECT actor_user_id, host(ip) AS ip, details FROM audit_log"
                    " WHERE action = 'report.downloaded' ORDER BY id"
                )
            )
        ).all()
    assert [r.actor_user_id for r in rows] == [
        world.users["client_a1.user"],
        world.users["partner_a.user"],
        world.users["staff.admin"],
    ]
    assert rows[0].ip == "10.0.0.1" and rows[0].details["size"] > 0


async def test_tampered_file_is_refused_and_not_audited(
    runtime: Runtime, world: World, store: LocalDirectoryStore
) -> None:
    report_id = await _ready_report(runtime, world, store)
    engagement = world.engagements["eng_a1"]
    path = store.root / "reports" / str(engagement) / f"{report_id}.pdf"
    path.write_bytes(path.read_bytes() + b"%tampered")
    actor = user(world, "client_a1.user")
    with pytest.raises(ChecksumMismatch):
        async with runtime.database.transaction(actor) as session:
            await service.fetch_report(session, actor, store, report_id)
    async with runtime.database.transaction(SystemActor("test")) as session:
        count = await session.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'report.downloaded'")
        )
    assert count.scalar_one() == 0


async def test_download_before_ready_is_a_conflict(runtime: Runtime, world: World) -> None:
    engagement = world.engagements["eng_a1"]
    await seed_scan(runtime, engagement)
    actor = user(world, "client_a1.user")
    async with runtime.database.transaction(actor) as session:
        report = await service.request_report(session, actor, engagement)
        with pytest.raises(Conflict):
            await service.fetch_report(session, actor, store_for(runtime.settings), report.id)


async def test_failed_render_is_recorded_without_tenant_text(
    runtime: Runtime, world: World, store: LocalDirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    engagement = world.engagements["eng_a1"]
    await seed_scan(runtime, engagement)
    actor = user(world, "client_a1.user")
    async with runtime.database.transaction(actor) as session:
        report = await service.request_report(session, actor, engagement)

    def explode(view: object) -> None:
        raise ValueError("tenant text <img src=x> must not leak")

    monkeypatch.setattr("failsafe.reports.job.render_pdf", explode)
    with pytest.raises(ValueError):
        await render_stored_report(runtime, store, report.id, engagement)
    async with runtime.database.transaction(actor) as session:
        record = await service.get_report(session, report.id)
    assert record.status == "failed" and record.error == "rendering failed (ValueError)"


async def test_job_runs_through_the_worker(
    runtime: Runtime, world: World, store: LocalDirectoryStore
) -> None:
    from failsafe.jobs.app import create_job_app, worker_context

    engagement = world.engagements["eng_a1"]
    await seed_scan(runtime, engagement)
    actor = user(world, "partner_a.user")
    async with runtime.database.transaction(actor) as session:
        report = await service.request_report(session, actor, engagement)
    app = create_job_app(runtime)
    async with app.open_async():
        await app.run_worker_async(
            queues=[service.QUEUE], wait=False, additional_context=worker_context(runtime)
        )
    async with runtime.database.transaction(actor) as session:
        record = await service.get_report(session, report.id)
        download = await service.fetch_report(session, actor, store, report.id)
    assert record.status == "ready"
    assert download.data.startswith(b"%PDF")
    assert json.loads(json.dumps(service.job_args(report.id, engagement)))["report_id"]
