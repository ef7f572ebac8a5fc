"""Read a stored scan back into an :class:`Inventory` (what the rules and reports consume)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.errors import NotFound
from failsafe.inventory.model import (
    App,
    AppUsage,
    ConditionalAccessPolicy,
    EmailSignal,
    Grant,
    Identity,
    Inventory,
    LicenseAssignment,
    LicenseSku,
    RoleAssignment,
    Section,
    SectionResult,
    SectionStatus,
    TenantInfo,
    TenantPolicies,
)

_RECORDS: dict[str, tuple[type[Any], str]] = {
    "inventory_identities": (
        Identity,
        "id, email, display_name, kind, enabled, created_at, last_sign_in_at, mfa_registered,"
        " mfa_methods, mfa_enforced, is_admin",
    ),
    "inventory_role_assignments": (
        RoleAssignment, "user_email, role_id, role_name, is_global_admin, privileged",
    ),
    "inventory_apps": (
        App,
        "app_id, display_name, publisher, publisher_verified, first_party, multi_tenant,"
        " domains, created_at",
    ),
    "inventory_grants": (
        Grant, "app_id, kind, scopes, all_users, user_email, granted_at, source",
    ),
    "inventory_app_usage": (
        AppUsage, "app_id, app_name, user_email, first_seen, last_seen, sign_ins, legacy_auth",
    ),
    "inventory_email_signals": (
        EmailSignal, "vendor_domain, user_email, kind, first_seen, last_seen, count",
    ),
    "inventory_license_skus": (LicenseSku, "sku_id, sku_name, purchased, assigned"),
    "inventory_license_assignments": (LicenseAssignment, "user_email, sku_id"),
}  # fmt: skip


async def load_inventory(session: AsyncSession, scan_id: uuid.UUID) -> Inventory:
    """The inventory of ``scan_id``; NotFound if it has none or the actor may not see it."""
    tenant = (
        (
            await session.execute(
                text("SELECT * FROM inventory_tenants WHERE scan_id = :scan"), {"scan": scan_id}
            )
        )
        .mappings()
        .first()
    )
    if tenant is None:
        raise NotFound("no inventory for this scan")
    inventory = Inventory(
        tenant=TenantInfo(
            tenant["provider"],
            tenant["tenant_id"],
            tenant["display_name"],
            tuple(tenant["domains"]),
        ),
        collected_at=tenant["collected_at"],
        sections=_sections(tenant["sections"]),
        policies=_policies(tenant),
    )
    for table, (record, columns) in _RECORDS.items():
        rows = await session.execute(
            text(f"SELECT {columns} FROM {table} WHERE scan_id = :scan"), {"scan": scan_id}
        )
        target: list[Any] = getattr(inventory, table.removeprefix("inventory_"))
        target.extend(record(*_tuples(row)) for row in rows)
    return inventory


def _tuples(row: Any) -> list[Any]:
    return [tuple(value) if isinstance(value, list) else value for value in row]


def _sections(raw: list[dict[str, Any]]) -> dict[Section, SectionResult]:
    results = {}
    for item in raw:
        section = Section(item["name"])
        results[section] = SectionResult(
            section,
            SectionStatus(item["status"]),
            int(item.get("records") or 0),
            item.get("reason"),
        )
    return results


def _policies(tenant: Any) -> TenantPolicies:
    access = tenant["conditional_access"]
    return TenantPolicies(
        users_can_consent=tenant["users_can_consent"],
        security_defaults_enabled=tenant["security_defaults_enabled"],
        conditional_access=None
        if access is None
        else tuple(ConditionalAccessPolicy(**policy) for policy in access),
        two_step_enforced=tenant["two_step_enforced"],
    )
