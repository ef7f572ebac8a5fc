"""OAuth scope risk tiers and Microsoft Graph permission GUID resolution.

Tiers are the base tiers of the scope catalog (no modifiers for consent type or publisher:
rules that care about those test them separately). Unknown scopes are ``medium``.

# Limitation: GUIDs of permissions beyond the reference table were typed from Microsoft's
# permission reference without a second check; connectors resolve GUIDs through the resource
# service principal first and use this table only as a fallback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from failsafe.catalog.datafile import rows
from failsafe.catalog.models import TIER_RANK, Scope, Tier

GRAPH_RESOURCE_APP_ID = "00000003-0000-0000-c000-000000000000"
GOOGLE_PREFIX = "https://www.googleapis.com/auth/"
UNKNOWN_TIER: Tier = "medium"
GrantKind = Literal["delegated", "application", "domain_wide"]


def _optional(value: str) -> str | None:
    return value or None


def load_scopes() -> tuple[Scope, ...]:
    """Graph permissions and Google scopes from the shipped tables."""
    scopes: list[Scope] = []
    for name, did, aid, dtier, atier, reason in rows("scopes_graph.txt", 6):
        scopes.append(
            Scope(
                provider="microsoft",
                name=name,
                delegated_id=_optional(did),
                application_id=_optional(aid),
                delegated_tier=_optional(dtier),
                application_tier=_optional(atier),
                reason=reason,
            )
        )
    for name, tier, reason in rows("scopes_google.txt", 3):
        full = (
            name
            if "://" in name or name in {"openid", "email", "profile"}
            else (GOOGLE_PREFIX + name)
        )
        scopes.append(
            Scope(
                provider="google",
                name=full,
                delegated_tier=tier,
                application_tier=tier,
                reason=reason,
            )
        )
    return tuple(scopes)


class ScopeCatalog:
    """Tier look-ups by (provider, name, grant kind) and GUID -> name for Graph."""

    def __init__(self, scopes: Iterable[Scope]) -> None:
        self.scopes = tuple(scopes)
        self._by_name: dict[tuple[str, str], Scope] = {}
        self._graph_ids: dict[tuple[str, str], str] = {}
        for scope in self.scopes:
            key = (scope.provider, scope.name.lower())
            if key in self._by_name:
                raise ValueError(f"duplicate scope {scope.provider} {scope.name}")
            self._by_name[key] = scope
            if scope.delegated_id:
                self._graph_ids[("delegated", scope.delegated_id)] = scope.name
            if scope.application_id:
                self._graph_ids[("application", scope.application_id)] = scope.name

    def get(self, provider: str, name: str) -> Scope | None:
        """The catalog entry for ``name`` (Google short names are expanded)."""
        key = name.strip().lower()
        found = self._by_name.get((provider, key))
        if found is None and provider == "google" and "://" not in key:
            found = self._by_name.get((provider, GOOGLE_PREFIX + key))
        return found

    def tier(self, provider: str, name: str, kind: GrantKind = "delegated") -> Tier:
        """Base tier of ``name`` held through a grant of ``kind``; unknown scopes are medium."""
        scope = self.get(provider, name)
        if scope is None:
            return UNKNOWN_TIER
        if kind == "application":
            return scope.application_tier or scope.delegated_tier or UNKNOWN_TIER
        return scope.delegated_tier or scope.application_tier or UNKNOWN_TIER

    def resolve_graph_permission(
        self,
        permission_id: str,
        kind: Literal["delegated", "application"],
        resource_app_id: str = GRAPH_RESOURCE_APP_ID,
    ) -> str | None:
        """Permission name for a Graph GUID (appRole id or oauth2PermissionScope id).

        Only Microsoft Graph ids are shipped: other resources return None, and the caller should
        read the resource service principal's ``appRoles`` / ``oauth2PermissionScopes``.
        """
        if resource_app_id.lower() != GRAPH_RESOURCE_APP_ID:
            return None
        return self._graph_ids.get((kind, permission_id.lower()))


def worst_tier(tiers: Iterable[Tier]) -> Tier | None:
    """The highest tier among ``tiers`` (None when empty)."""
    best: Tier | None = None
    for tier in tiers:
        if best is None or TIER_RANK[tier] > TIER_RANK[best]:
            best = tier
    return best
