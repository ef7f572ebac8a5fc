"""Graph tenant policies: user consent, security defaults, conditional access."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from failsafe.connectors.graph.client import GraphClient
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.model import ConditionalAccessPolicy

LEGACY_CLIENT_TYPES = frozenset({"exchangeactivesync", "other"})


async def consent_policy(graph: GraphClient, builder: InventoryBuilder) -> int:
    """Whether ordinary users may consent to apps (authorizationPolicy)."""
    payload = await graph.get("/policies/authorizationPolicy")
    if isinstance(payload.get("value"), list) and payload["value"]:
        payload = payload["value"][0]  # some tenants answer with a one-item collection
    defaults = payload.get("defaultUserRolePermissions") or {}
    assigned = [str(p).lower() for p in defaults.get("permissionGrantPoliciesAssigned") or []]
    can_consent = any(p.startswith("managepermissiongrantsforself.") for p in assigned)
    builder.policies = replace(builder.policies, users_can_consent=can_consent)
    return 1


async def conditional_access(graph: GraphClient, builder: InventoryBuilder) -> int:
    """Security defaults and every conditional-access policy."""
    defaults = await graph.get(
        "/policies/identitySecurityDefaultsEnforcementPolicy", {"$select": "isEnabled"}
    )
    policies: list[ConditionalAccessPolicy] = []
    async for page in graph.pages("/identity/conditionalAccess/policies", {"$top": "999"}):
        policies.extend(_policy(raw) for raw in page)
    builder.policies = replace(
        builder.policies,
        security_defaults_enabled=bool(defaults.get("isEnabled")),
        conditional_access=tuple(policies),
    )
    return len(policies)


def _policy(raw: dict[str, Any]) -> ConditionalAccessPolicy:
    conditions = raw.get("conditions") or {}
    users = conditions.get("users") or {}
    grant = raw.get("grantControls") or {}
    controls = {str(c).lower() for c in grant.get("builtInControls") or []}
    client_types = {str(c).lower() for c in conditions.get("clientAppTypes") or []}
    return ConditionalAccessPolicy(
        id=str(raw["id"]),
        name=str(raw.get("displayName") or raw["id"]),
        state=_state(raw.get("state")),
        requires_mfa="mfa" in controls or bool(grant.get("authenticationStrength")),
        blocks_legacy_auth="block" in controls and bool(client_types & LEGACY_CLIENT_TYPES),
        all_users="all" in {str(u).lower() for u in users.get("includeUsers") or []},
    )


def _state(value: Any) -> Literal["enabled", "disabled", "report_only"]:
    text = str(value or "").lower()
    if text == "enabled":
        return "enabled"
    if text == "enabledforreportingbutnotenforced":
        return "report_only"
    return "disabled"
