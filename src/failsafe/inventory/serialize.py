"""An inventory as plain JSON-ready data (for ``failsafe scan --out``)."""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from typing import Any

from failsafe.inventory.model import Inventory


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def inventory_to_dict(inventory: Inventory) -> dict[str, Any]:
    """Every record of the inventory; sections keyed by name."""
    data = {f.name: getattr(inventory, f.name) for f in dataclasses.fields(inventory)}
    data["tenant"] = dataclasses.asdict(inventory.tenant)
    data["policies"] = dataclasses.asdict(inventory.policies)
    data["sections"] = {
        section.value: dataclasses.asdict(result) for section, result in inventory.sections.items()
    }
    for name in (
        "identities",
        "role_assignments",
        "apps",
        "grants",
        "app_usage",
        "email_signals",
        "license_skus",
        "license_assignments",
    ):
        data[name] = [dataclasses.asdict(record) for record in getattr(inventory, name)]
    return {str(k): _plain(v) for k, v in data.items()}
