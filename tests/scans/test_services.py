from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text

from failsafe.connections import service as connections
from failsafe.db.actor import SystemActor
from failsafe.errors import Conflict, NotFound, ValidationFailed
from failsafe.runtime import Runtime
from failsafe.scans import service as scans
from failsafe.scans.service import TASK_NAME
from tests.scans.conftest import add_microsoft_connection
from tests.world import World

TENANT = "11111111-2222-3333-4444-555555555555"


def service_account_json(**overrides: object) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "scanner@p.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    info.update(overrides)
    return json.dumps(info)


async def test_microsoft_consent_flow(scan_runtime: Runtime, world: World) -> None:
    engagement = world.engagements["eng_a1"]
    actor = SystemActor("test", engagement)
    async with scan_runtime.database.transaction(actor) as session:
        start = await connections.create_microsoft_connection(
            session, actor, scan_runtime.settings, engagement, redirect_uri="https://app.test/cb"
        )
    parts = urlsplit(start.consent_url)
    assert parts.path == "/organizations/adminconsent"
    query = parse_qs(parts.query)
    assert query["client_id"] == ["failsafe-app"] and query["redirect_uri"] == [
        "https://app.test/cb"
    ]
    state = query["state"][0]
    async with scan_runtime.database.transaction(actor) as session:
        with pytest.raises(ValidationFailed):
            await connections.complete_microsoft_consent(
                session,
                actor,
                scan_runtime.keyring,
                state=state[:-2] + "xx",
                admin_consent="True",
                tenant=TENANT,
            )
    async with scan_runtime.database.transaction(actor) as session:
        view = await connections.complete_microsoft_consent(
            session, actor, scan_runtime.keyring, state=state, admin_consent="True", tenant=TENANT
        )
    assert view.status == "active" and view.tenant_ref == TENANT and view.has_credentials
    assert "consent_state_sha256" not in view.options
    assert not any("secret" in str(v) for v in vars(view).values())


async def test_consent_refusal_marks_the_connection(scan_runtime: Runtime, world: World) -> None:
    engagement = world.engagements["eng_a1"]
    actor = SystemActor("test", engagement)
    async with scan_runtime.database.transaction(actor) as session:
        start = await connections.create_microsoft_connection(
            session, actor, scan_runtime.settings, engagement
        )
    state = parse_qs(urlsplit(start.consent_url).query)["state"][0]
    with pytest.raises(ValidationFailed, match="access_denied"):
        async with scan_runtime.database.transaction(actor) as session:
            await connections.complete_microsoft_consent(
                session, actor, scan_runtime.keyring, state=state, error="access_denied"
            )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "not valid JSON"),
        (service_account_json(type="authorized_user"), "service_account"),
        (service_account_json(client_email=""), "client_email"),
        (
            service_account_json(
                private_key="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
            ),
            "does not parse",
        ),
    ],
)
async def test_google_key_file_is_validated_strictly(
    scan_runtime: Runtime, world: World, payload: str, message: str
) -> None:
    engagement = world.engagements["eng_a1"]
    actor = SystemActor("test", engagement)
    with pytest.raises(ValidationFailed, match=message):
        async with scan_runtime.database.transaction(actor) as session:
            await connections.create_google_connection(
                session,
                actor,
                scan_runtime.keyring,
                engagement,
                service_account_json=payload,
                admin_email="admin@contoso.example",
            )


async def test_google_connection_is_sealed_and_listed_without_credentials(
    scan_runtime: Runtime, world: World
) -> None:
    engagement = world.engagements["eng_a1"]
    actor = SystemActor("test", engagement)
    async with scan_runtime.database.transaction(actor) as session:
        view = await connections.create_google_connection(
            session,
            actor,
            scan_runtime.keyring,
            engagement,
            service_account_json=service_account_json(),
            admin_email="Admin@Contoso.example",
        )
        sealed = (
            await session.execute(
                text("SELECT sealed_credentials FROM connections WHERE id = :id"), {"id": view.id}
            )
        ).scalar_one()
        listed = await connections.list_connections(session, engagement)
    assert sealed.startswith("fs1.") and "PRIVATE" not in sealed
    assert (
        view.tenant_ref == "contoso.example"
        and view.options["admin_email"] == "admin@contoso.example"
    )
    assert [c.id for c in listed] == [view.id]


async def test_request_scan_enqueues_its_job_in_the_same_transaction(
    scan_runtime: Runtime, world: World, superuser: psycopg.Connection
) -> None:
    engagement = world.engagements["eng_a1"]
    actor = SystemActor("test", engagement)
    connection = await add_microsoft_connection(scan_runtime, engagement)
    with pytest.raises(RuntimeError):
        async with scan_runtime.database.transaction(actor) as session:
            await scans.request_scan(session, actor, connection)
            raise RuntimeError("the request fails after the insert")
    assert superuser.execute(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s", (TASK_NAME,)
    ).fetchone() == (0,)
    async with scan_runtime.database.transaction(actor) as session:
        view = await scans.request_scan(session, actor, connection)
    job = superuser.execute(
        "SELECT task_name, args, lock FROM procrastinate_jobs WHERE task_name = %s", (TASK_NAME,)
    ).fetchone()
    assert job == (
        TASK_NAME,
        {"scan_id": str(view.id), "engagement_id": str(engagement)},
        f"connection:{connection}",
    )
    async with scan_runtime.database.transaction(actor) as session:
        with pytest.raises(Conflict):
            await scans.request_scan(session, actor, connection)


async def test_revoke_deletes_credentials_cancels_queued_scans_and_audits(
    scan_runtime: Runtime, world: World, superuser: psycopg.Connection
) -> None:
    engagement = world.engagements["eng_a1"]
    actor = SystemActor("test", engagement)
    connection = await add_microsoft_connection(scan_runtime, engagement)
    async with scan_runtime.database.transaction(actor) as session:
        scan = await scans.request_scan(session, actor, connection)
    async with scan_runtime.database.transaction(actor) as session:
        view = await connections.revoke_connection(session, actor, connection, ip="127.0.0.1")
    assert view.status == "revoked" and not view.has_credentials
    row = superuser.execute(
        "SELECT sealed_credentials, revoked_at IS NOT NULL FROM connections WHERE id = %s",
        (connection,),
    ).fetchone()
    assert row == (None, True)
    async with scan_runtime.database.transaction(actor) as session:
        stopped = await scans.get_scan(session, scan.id)
    assert stopped.status == "failed" and stopped.error and "revoked" in stopped.error
    assert superuser.execute(
        "SELECT status::text FROM procrastinate_jobs WHERE task_name = %s", (TASK_NAME,)
    ).fetchone() == ("cancelled",)
    audit = superuser.execute(
        "SELECT action, target_id, details->>'scans_cancelled' FROM audit_log"
        " WHERE action = 'connection.revoked'"
    ).fetchall()
    assert audit == [("connection.revoked", str(connection), "1")]
    async with scan_runtime.database.transaction(actor) as session:
        with pytest.raises(Conflict):
            await scans.request_scan(session, actor, connection)


async def test_other_engagements_see_nothing(scan_runtime: Runtime, world: World) -> None:
    mine, other = world.engagements["eng_a1"], world.engagements["eng_b1"]
    connection = await add_microsoft_connection(scan_runtime, mine)
    async with scan_runtime.database.transaction(SystemActor("scan", other)) as session:
        with pytest.raises(NotFound):
            await connections.get_connection(session, connection)
        with pytest.raises(NotFound):
            await scans.request_scan(session, SystemActor("scan", other), connection)
    assert uuid.UUID(str(connection))
