"""Graph sign-in log, aggregated per app per user as pages arrive."""

from __future__ import annotations

from datetime import datetime, timedelta

from failsafe.connectors.graph.client import GraphClient
from failsafe.connectors.timeparse import iso_z, parse_time
from failsafe.inventory.builder import InventoryBuilder

SIGN_IN_WINDOW = timedelta(days=30)  # Entra keeps sign-ins 30 days with P1/P2
MODERN_CLIENTS = frozenset({"browser", "mobile apps and desktop clients"})
SIGN_IN_FIELDS = "appId,appDisplayName,userPrincipalName,createdDateTime,clientAppUsed,status"


def is_legacy(client_app_used: object) -> bool:
    """Every clientAppUsed value but the two modern ones is a legacy protocol."""
    value = str(client_app_used or "").strip().lower()
    return bool(value) and value not in MODERN_CLIENTS


async def sign_ins(graph: GraphClient, builder: InventoryBuilder, now: datetime) -> int:
    """Successful interactive sign-ins in the window, counted per (app, user)."""
    params = {
        "$select": SIGN_IN_FIELDS,
        "$top": "1000",
        "$filter": f"createdDateTime ge {iso_z(now - SIGN_IN_WINDOW)}",
    }
    events = 0  # every event read (failed sign-ins too), so progress reflects the work done
    async for page in graph.pages("/auditLogs/signIns", params):
        for raw in page:
            events += 1
            status = raw.get("status") or {}
            at = parse_time(raw.get("createdDateTime"))
            user = str(raw.get("userPrincipalName") or "").lower()
            if at is None or not user or int(status.get("errorCode") or 0) != 0:
                continue
            builder.sign_ins.add(
                str(raw.get("appId")) if raw.get("appId") else None,
                str(raw.get("appDisplayName") or raw.get("appId") or "unknown"),
                user,
                at,
                is_legacy(raw.get("clientAppUsed")),
            )
    return events
