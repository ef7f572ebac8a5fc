"""Google licence assignments per product (Enterprise License Manager API)."""

from __future__ import annotations

from failsafe.connectors.errors import UnexpectedResponse
from failsafe.connectors.google.client import GoogleClient
from failsafe.connectors.google.directory import GoogleIndex
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.model import LicenseAssignment, LicenseSku

# Workspace, Gemini and Vault products; a product the customer never bought answers 404/400.
PRODUCTS = ("Google-Apps", "101068", "101047", "Google-Vault")


async def licenses(google: GoogleClient, builder: InventoryBuilder, index: GoogleIndex) -> int:
    """Assignments of every SKU; seats purchased are not reported by Google (None)."""
    token = google.admin_token("apps.licensing")
    counts: dict[str, tuple[str, int]] = {}
    for product in PRODUCTS:
        url = f"{google.licensing_base}/apps/licensing/v1/product/{product}/users"
        params = {"customerId": index.customer_id, "maxResults": "1000"}
        try:
            async for page in google.pages(url, params, "items", token):
                for raw in page:
                    sku_id = f"{raw.get('productId') or product}/{raw.get('skuId')}"
                    user = str(raw.get("userId") or "").lower()
                    builder.license_assignments.append(LicenseAssignment(user, sku_id))
                    name, seen = counts.get(sku_id, (str(raw.get("skuName") or sku_id), 0))
                    counts[sku_id] = (name, seen + 1)
        except UnexpectedResponse as exc:
            if exc.status not in (400, 404):
                raise
    for sku_id, (name, assigned) in counts.items():
        builder.license_skus[sku_id] = LicenseSku(sku_id, name, None, assigned)
    return len(builder.license_assignments)
