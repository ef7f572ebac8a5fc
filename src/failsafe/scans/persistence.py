"""Write one scan's inventory with COPY inside the caller's transaction.

Rows go through COPY into a staging table (COPY cannot target an RLS table directly) and one
INSERT ... SELECT per table. The caller's transaction is the one that flips the scan to
succeeded/partial, so readers see either the whole inventory or none of it. Rows of the scan are
deleted first: a retried job that persists again leaves exactly one copy.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.inventory.model import Inventory, SectionResult

ROW_TABLES = (
    "inventory_identities",
    "inventory_role_assignments",
    "inventory_apps",
    "inventory_grants",
    "inventory_app_usage",
    "inventory_email_signals",
    "inventory_license_skus",
    "inventory_license_assignments",
)
COLUMNS: dict[str, tuple[str, ...]] = {
    "inventory_identities": (
        "id", "email", "display_name", "kind", "enabled", "created_at", "last_sign_in_at",
        "mfa_registered", "mfa_methods", "mfa_enforced", "is_admin",
    ),
    "inventory_role_assignments": (
        "user_email", "role_id", "role_name", "is_global_admin", "privileged",
    ),
    "inventory_apps": (
        "app_id", "display_name", "publisher", "publisher_verified", "first_party",
        "multi_tenant", "domains", "created_at",
    ),
    "inventory_grants": (
        "app_id", "kind", "scopes", "all_users", "user_email", "granted_at", "source",
    ),
    "inventory_app_usage": (
        "app_id", "app_name", "user_email", "first_seen", "last_seen", "sign_ins", "legacy_auth",
    ),
    "inventory_email_signals": (
        "vendor_domain", "user_email", "kind", "first_seen", "last_seen", "count",
    ),
    "inventory_license_skus": ("sku_id", "sku_name", "purchased", "assigned"),
    "inventory_license_assignments": ("user_email", "sku_id"),
}  # fmt: skip


def sections_json(sections: Iterable[SectionResult]) -> list[dict[str, Any]]:
    """The scans.sections / inventory_tenants.sections representation."""
    return [
        {"name": s.section.value, "status": s.status.value, "records": s.records,
         "reason": s.reason}
        for s in sections
    ]  # fmt: skip


def _rows(inventory: Inventory, table: str) -> Iterator[Sequence[Any]]:
    by_table: dict[str, Iterable[Any]] = {
        "inventory_identities": inventory.identities,
        "inventory_role_assignments": inventory.role_assignments,
        "inventory_apps": inventory.apps,
        "inventory_grants": inventory.grants,
        "inventory_app_usage": inventory.app_usage,
        "inventory_email_signals": inventory.email_signals,
        "inventory_license_skus": inventory.license_skus,
        "inventory_license_assignments": inventory.license_assignments,
    }
    for record in by_table[table]:
        # Dataclass fields are declared in the column order above (user -> user_email).
        yield tuple(list(v) if isinstance(v, tuple) else v for v in _values(record))


def _values(record: Any) -> tuple[Any, ...]:
    return tuple(getattr(record, name) for name in _field_names(type(record)))


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(kind: type[Any]) -> tuple[str, ...]:
    if kind not in _FIELD_NAMES:
        _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return _FIELD_NAMES[kind]


async def driver_connection(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The psycopg connection under the session (same transaction, same actor)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)
    return driver


async def delete_inventory(session: AsyncSession, scan_id: uuid.UUID) -> None:
    """Remove whatever a previous attempt of this scan wrote."""
    for table in (*ROW_TABLES, "inventory_tenants"):
        await session.execute(text(f"DELETE FROM {table} WHERE scan_id = :scan"), {"scan": scan_id})


async def persist_inventory(
    session: AsyncSession, scan_id: uuid.UUID, engagement_id: uuid.UUID, inventory: Inventory
) -> int:
    """Delete-then-COPY the scan's inventory; returns the number of rows written."""
    await delete_inventory(session, scan_id)
    await _insert_tenant(session, scan_id, engagement_id, inventory)
    driver = await driver_connection(session)
    written = 1
    prefix = (engagement_id, scan_id)
    for table in ROW_TABLES:
        written += await _copy_table(
            driver, table, ((*prefix, *row) for row in _rows(inventory, table))
        )
    return written


async def _copy_table(
    driver: psycopg.AsyncConnection[Any], table: str, rows: Iterable[Sequence[Any]]
) -> int:
    """COPY into a transaction-local staging table, then INSERT ... SELECT into ``table``.

    PostgreSQL refuses COPY FROM into a table with row-level security for a role bound by it;
    staging keeps COPY's speed while the INSERT still passes every RLS check.
    """
    columns = ", ".join(("engagement_id", "scan_id", *COLUMNS[table]))
    staging = f"staging_{table}"
    count = 0
    async with driver.cursor() as cursor:
        await cursor.execute(
            f"CREATE TEMP TABLE {staging} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        async with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                await copy.write_row(row)
                count += 1
        await cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}")
        await cursor.execute(f"DROP TABLE {staging}")
    return count


async def _insert_tenant(
    session: AsyncSession, scan_id: uuid.UUID, engagement_id: uuid.UUID, inventory: Inventory
) -> None:
    policies = inventory.policies
    access = policies.conditional_access
    await session.execute(
        text(
            "INSERT INTO inventory_tenants (engagement_id, scan_id, provider, tenant_id,"
            " display_name, domains, collected_at, sections, users_can_consent,"
            " security_defaults_enabled, two_step_enforced, conditional_access)"
            " VALUES (:engagement, :scan, :provider, :tenant_id, :name, :domains, :collected,"
            " CAST(:sections AS jsonb), :consent, :defaults, :two_step,"
            " CAST(:access AS jsonb))"
        ),
        {
            "engagement": engagement_id,
            "scan": scan_id,
            "provider": inventory.tenant.provider,
            "tenant_id": inventory.tenant.tenant_id,
            "name": inventory.tenant.display_name,
            "domains": list(inventory.tenant.domains),
            "collected": inventory.collected_at,
            "sections": json.dumps(sections_json(inventory.sections.values())),
            "consent": policies.users_can_consent,
            "defaults": policies.security_defaults_enabled,
            "two_step": policies.two_step_enforced,
            "access": None
            if access is None
            else json.dumps([dataclasses.asdict(p) for p in access]),
        },
    )
