"""Tenant policies of a sandbox tenant: authorization (user consent) and conditional access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from failsafe.sandbox.graph_model import iso
from failsafe.sandbox.spec import TenantSpec, guid


def authorization_policy(spec: TenantSpec) -> dict[str, Any]:
    """GET the authorization policy (user consent settings)."""
    consent = ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"] if spec.risky else []
    return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authorizationPolicy/$entity",
        "id": "authorizationPolicy",
        "displayName": "Authorization Policy",
        "description": "Used to manage authorization related settings across the company.",
        "allowInvitesFrom": "adminsAndGuestInviters",
        "allowedToSignUpEmailBasedSubscriptions": False,
        "allowedToUseSSPR": True,
        "allowEmailVerifiedUsersToJoinOrganization": False,
        "allowUserConsentForRiskyApps": False,
        "blockMsolPowerShell": True,
        "guestUserRoleId": "2af84b1e-32c8-42b7-82bc-daa82404023b",
        "defaultUserRolePermissions": {
            "allowedToCreateApps": False,
            "allowedToCreateSecurityGroups": False,
            "allowedToCreateTenants": False,
            "allowedToReadBitlockerKeysForOwnedDevice": True,
            "allowedToReadOtherUsers": True,
            "permissionGrantPoliciesAssigned": consent,
        },
    }


def conditional_access_json(spec: TenantSpec) -> list[dict[str, Any]]:
    """Clean: MFA for everyone and legacy blocked, both enabled. Risky: neither enforced."""
    mfa_state = "enabledForReportingButNotEnforced" if spec.risky else "enabled"
    legacy_state = "disabled" if spec.risky else "enabled"
    breakglass: list[str] = []

    def policy(
        key: str, name: str, state: str, apps_types: list[str], controls: list[str]
    ) -> dict[str, Any]:
        return {
            "id": guid(spec.seed, "ca", key),
            "displayName": name,
            "createdDateTime": iso(spec.anchor - timedelta(days=400)),
            "modifiedDateTime": None,
            "state": state,
            "conditions": {
                "users": {
                    "includeUsers": ["All"],
                    "excludeUsers": breakglass,
                    "includeGroups": [],
                    "excludeGroups": [],
                    "includeRoles": [],
                    "excludeRoles": [],
                },
                "applications": {
                    "includeApplications": ["All"],
                    "excludeApplications": [],
                    "includeUserActions": [],
                },
                "clientAppTypes": apps_types,
                "platforms": None,
                "locations": None,
                "signInRiskLevels": [],
            },
            "grantControls": {
                "operator": "OR",
                "builtInControls": controls,
                "customAuthenticationFactors": [],
                "termsOfUse": [],
            },
            "sessionControls": None,
        }

    return [
        policy("mfa", "Require MFA for all users", mfa_state, ["all"], ["mfa"]),
        policy(
            "legacy",
            "Block legacy authentication",
            legacy_state,
            ["exchangeActiveSync", "other"],
            ["block"],
        ),
    ]
