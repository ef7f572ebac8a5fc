"""Connect a demo engagement to a sandbox tenant and scan it (called by ``failsafe demo``)."""

from __future__ import annotations

import copy
import uuid
from typing import Any, Literal

from pydantic import SecretStr
from sqlalchemy import text

from failsafe.audit.service import record
from failsafe.connections import credentials
from failsafe.db.actor import SystemActor
from failsafe.runtime import Runtime
from failsafe.scans.runner import execute_scan
from failsafe.scans.service import request_scan


def _document(provider: str, sandbox: Any) -> tuple[str, dict[str, Any]]:
    """(tenant ref, sealed credentials document) for the sandbox's tenant."""
    if provider == "microsoft":
        ms = sandbox.microsoft()
        return ms.tenant_id, {
            "provider": "microsoft",
            "tenant_id": ms.tenant_id,
            "client_id": ms.client_id,
            "client_secret": ms.client_secret,
        }
    demo = sandbox.google()
    return demo.domain, {
        "provider": "google",
        "service_account": dict(demo.service_account),
        "admin_email": demo.admin_email,
    }


async def connect_and_scan_demo(
    runtime: Runtime,
    engagement_id: uuid.UUID,
    provider: Literal["microsoft", "google"],
    sandbox: Any,
) -> uuid.UUID:
    """Create (or reuse) the engagement's connection to ``sandbox`` and run one scan now.

    ``sandbox`` is a running :class:`failsafe.sandbox.Sandbox`. The scan runs in the foreground
    with the sandbox's endpoint settings; returns the scan id (succeeded or partial).
    """
    actor = SystemActor("demo", engagement_id)
    tenant_ref, document = _document(provider, sandbox)
    async with runtime.database.transaction(actor) as session:
        connection_id = await _connection(
            session, runtime, engagement_id, provider, tenant_ref, document
        )
        await record(
            session,
            actor,
            "connection.granted",
            engagement_id=engagement_id,
            target_type="connection",
            target_id=connection_id,
            details={"provider": provider, "demo": True},
        )
        scan = await request_scan(session, actor, connection_id, trigger="demo", enqueue=False)
    demo_runtime = copy.copy(runtime)  # same database and keys, sandbox endpoints
    demo_runtime.settings = runtime.settings.model_copy(update=_overrides(sandbox))
    await execute_scan(demo_runtime, scan.id, engagement_id)
    return scan.id


def _overrides(sandbox: Any) -> dict[str, Any]:
    """The sandbox's endpoint settings, secrets wrapped as the settings model expects."""
    overrides: dict[str, Any] = dict(sandbox.settings_overrides())
    if isinstance(overrides.get("microsoft_client_secret"), str):
        overrides["microsoft_client_secret"] = SecretStr(overrides["microsoft_client_secret"])
    return overrides


async def _connection(
    session: Any,
    runtime: Runtime,
    engagement_id: uuid.UUID,
    provider: str,
    tenant_ref: str,
    document: dict[str, Any],
) -> uuid.UUID:
    existing = (
        await session.execute(
            text(
                "SELECT id FROM connections WHERE engagement_id = :e AND provider = :p"
                " AND tenant_ref = :t AND status <> 'revoked'"
            ),
            {"e": engagement_id, "p": provider, "t": tenant_ref},
        )
    ).scalar_one_or_none()
    connection_id = existing or uuid.uuid4()
    sealed = credentials.seal(runtime.keyring, connection_id, document)
    if existing is None:
        await session.execute(
            text(
                "INSERT INTO connections (id, engagement_id, provider, tenant_ref, display_name,"
                " status, sealed_credentials, options) VALUES (:id, :e, :p, :t, :n, 'active',"
                " :s, CAST(:o AS jsonb))"
            ),
            {
                "id": connection_id,
                "e": engagement_id,
                "p": provider,
                "t": tenant_ref,
                "n": f"Sandbox {provider}",
                "s": sealed,
                "o": '{"mail_signals": true, "user_tokens": false}',
            },
        )
    else:
        await session.execute(
            text(
                "UPDATE connections SET status = 'active', sealed_credentials = :s,"
                " updated_at = now() WHERE id = :id"
            ),
            {"id": connection_id, "s": sealed},
        )
    return uuid.UUID(str(connection_id))
