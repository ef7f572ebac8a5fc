"""A small in-memory Microsoft Graph tenant served through an httpx transport, with paging,
$batch, permission denials and fault injection. Used until (and beside) the sandbox simulator."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

TENANT = "11111111-2222-3333-4444-555555555555"
GRAPH_SP = "sp-graph"
NOW = datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeGraph:
    users: int = 30
    mail_per_user: int = 3
    token_lifetime: int = 3599
    denied: set[str] = field(default_factory=set)  # path prefixes answering 403
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    log: list[httpx.Request] = field(default_factory=list)
    tokens_issued: int = 0

    def __post_init__(self) -> None:
        self.faults = defaultdict(list, self.faults)

    # ---------------------------------------------------------------- data
    def user(self, i: int) -> dict[str, Any]:
        return {
            "id": f"u{i}",
            "displayName": f"User {i}",
            "userPrincipalName": f"user{i}@contoso.example",
            "mail": f"user{i}@contoso.example",
            "accountEnabled": i != 3,
            "userType": "Guest" if i == 4 else "Member",
            "createdDateTime": "2020-01-01T00:00:00Z",
            "assignedLicenses": [{"skuId": "sku-e3", "disabledPlans": []}],
            "signInActivity": {
                "lastSignInDateTime": _iso(NOW - timedelta(days=i)),
                "lastNonInteractiveSignInDateTime": "0001-01-01T00:00:00Z",
            },
        }

    def messages(self, i: int) -> list[dict[str, Any]]:
        return [
            {
                "receivedDateTime": _iso(NOW - timedelta(days=k + 1)),
                "from": {"emailAddress": {"address": "billing@notion.so", "name": "Notion"}},
            }
            for k in range(self.mail_per_user)
        ]

    # ---------------------------------------------------------------- transport
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        path = request.url.path
        fault = self._fault(path)
        if fault is not None:
            return fault
        if path.endswith("/oauth2/v2.0/token"):
            self.tokens_issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"tok{self.tokens_issued}",
                    "expires_in": self.token_lifetime,
                    "token_type": "Bearer",
                },
            )
        if request.headers.get("Authorization") != f"Bearer tok{self.tokens_issued}":
            return httpx.Response(401, json={"error": {"code": "InvalidAuthenticationToken"}})
        rel = path.removeprefix("/v1.0")
        if rel == "/$batch":
            return self._batch(json.loads(request.content))
        status, body = self.get(
            rel, {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        )
        return httpx.Response(status, json=body)

    def _fault(self, path: str) -> httpx.Response | None:
        for prefix, queue in self.faults.items():
            if queue and path.startswith(prefix):
                kind = queue.pop(0)
                if kind == "429":
                    return httpx.Response(
                        429,
                        headers={"Retry-After": "7"},
                        json={"error": {"code": "TooManyRequests"}},
                    )
                if kind == "503":
                    return httpx.Response(503, json={"error": {"code": "ServiceUnavailable"}})
                if kind == "reset":
                    raise httpx.ConnectError("connection reset by peer")
                if kind == "slow":
                    raise httpx.ReadTimeout("timed out")
                if kind == "malformed":
                    return httpx.Response(200, content=b'{"value": [{"id": ')
        return None

    def _batch(self, payload: dict[str, Any]) -> httpx.Response:
        responses = []
        for item in payload["requests"]:
            parts = urlsplit(item["url"])
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            fault = self._fault("/v1.0" + parts.path)
            if fault is not None and fault.status_code in (429, 503):
                responses.append(
                    {
                        "id": item["id"],
                        "status": fault.status_code,
                        "headers": {"Retry-After": "3"},
                        "body": {},
                    }
                )
                continue
            status, body = self.get(parts.path, query)
            responses.append({"id": item["id"], "status": status, "body": body})
        return httpx.Response(200, json={"responses": list(reversed(responses))})

    def get(self, rel: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        for prefix in self.denied:
            if rel.startswith(prefix):
                return 403, {
                    "error": {
                        "code": "Authorization_RequestDenied",
                        "message": "Insufficient privileges",
                    }
                }
        if rel == "/organization":
            return 200, {
                "value": [
                    {
                        "id": TENANT,
                        "displayName": "Contoso",
                        "verifiedDomains": [{"name": "contoso.example"}],
                    }
                ]
            }
        if rel == "/users":
            top = int(query.get("$top", "100"))
            return 200, self._page(
                rel,
                [self.user(i) for i in range(self.users)],
                query,
                min(top, 500 if "signInActivity" in query.get("$select", "") else 999),
            )
        if rel.startswith("/users/") and rel.endswith("/messages"):
            index = int(rel.split("/")[2][1:])
            if index == 5:
                return 404, {"error": {"code": "MailboxNotEnabledForRESTAPI"}}
            return 200, self._page(rel, self.messages(index), query, int(query.get("$top", "10")))
        if rel == "/subscribedSkus":
            return 200, {
                "value": [
                    {
                        "skuId": "sku-e3",
                        "skuPartNumber": "ENTERPRISEPACK",
                        "consumedUnits": self.users,
                        "prepaidUnits": {"enabled": self.users + 5},
                    }
                ]
            }
        if rel == "/reports/authenticationMethods/userRegistrationDetails":
            rows = [
                {
                    "id": f"u{i}",
                    "isMfaRegistered": i % 2 == 0,
                    "methodsRegistered": ["microsoftAuthenticatorPush"] if i % 2 == 0 else [],
                }
                for i in range(self.users)
            ]
            return 200, self._page(rel, rows, query, 100)
        if rel == "/directoryRoles":
            return 200, {
                "value": [
                    {
                        "id": "r-ga",
                        "displayName": "Global Administrator",
                        "roleTemplateId": "62e90394-69f5-4237-9190-012177145e10",
                    }
                ]
            }
        if rel == "/directoryRoles/r-ga/members":
            return 200, {
                "value": [{"id": "u0", "userPrincipalName": "user0@contoso.example"}, {"id": "sp1"}]
            }
        if rel == "/servicePrincipals":
            return 200, self._page(rel, self._sps(), query, min(int(query.get("$top", "100")), 999))
        if rel.startswith("/servicePrincipals/") and rel.endswith("/appRoleAssignments"):
            if rel.split("/")[2] == "sp-otter":
                return 200, {
                    "value": [
                        {
                            "appRoleId": "role-mail",
                            "resourceId": GRAPH_SP,
                            "createdDateTime": "2024-01-01T00:00:00Z",
                        }
                    ]
                }
            return 200, {"value": []}
        if rel == "/oauth2PermissionGrants":
            return 200, {
                "value": [
                    {
                        "clientId": "sp-otter",
                        "consentType": "Principal",
                        "principalId": "u1",
                        "scope": " openid Mail.Read ",
                    },
                    {
                        "clientId": "sp-otter",
                        "consentType": "AllPrincipals",
                        "principalId": None,
                        "scope": "User.Read",
                    },
                ]
            }
        if rel == "/auditLogs/signIns":
            rows = [
                {
                    "appId": "app-otter",
                    "appDisplayName": "Otter",
                    "userPrincipalName": f"user{i % self.users}@contoso.example",
                    "createdDateTime": _iso(NOW - timedelta(hours=i)),
                    "clientAppUsed": "IMAP4" if i == 0 else "Browser",
                    "status": {"errorCode": 0},
                }
                for i in range(12)
            ]
            return 200, self._page(rel, rows, query, 5)
        if rel == "/policies/authorizationPolicy":
            return 200, {
                "id": "authorizationPolicy",
                "defaultUserRolePermissions": {
                    "permissionGrantPoliciesAssigned": [
                        "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"
                    ]
                },
            }
        if rel == "/policies/identitySecurityDefaultsEnforcementPolicy":
            return 200, {"isEnabled": False}
        if rel == "/identity/conditionalAccess/policies":
            return 200, {
                "value": [
                    {
                        "id": "ca1",
                        "displayName": "MFA all",
                        "state": "enabled",
                        "conditions": {
                            "users": {"includeUsers": ["All"]},
                            "clientAppTypes": ["all"],
                        },
                        "grantControls": {"builtInControls": ["mfa"]},
                    }
                ]
            }
        return 404, {"error": {"code": "Request_ResourceNotFound"}}

    def _sps(self) -> list[dict[str, Any]]:
        return [
            {
                "id": GRAPH_SP,
                "appId": "00000003-0000-0000-c000-000000000000",
                "displayName": "Microsoft Graph",
                "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
                "appRoles": [{"id": "role-mail", "value": "Mail.Read"}],
            },
            {
                "id": "sp-otter",
                "appId": "app-otter",
                "displayName": "Otter.ai",
                "appOwnerOrganizationId": "99999999-0000-0000-0000-000000000000",
                "publisherName": "Otter",
                "verifiedPublisher": {"verifiedPublisherId": None},
                "homepage": "https://otter.ai/home",
                "replyUrls": ["https://app.otter.ai/cb"],
                "signInAudience": "AzureADMultipleOrgs",
            },
            {
                "id": "sp-failsafe",
                "appId": "failsafe-app",
                "displayName": "FailSafe",
                "appOwnerOrganizationId": "99999999-0000-0000-0000-000000000001",
            },
        ]

    def _page(
        self, rel: str, rows: list[dict[str, Any]], query: dict[str, str], size: int
    ) -> dict[str, Any]:
        start = int(query.get("$skiptoken", "0"))
        body: dict[str, Any] = {"value": rows[start : start + size]}
        if start + size < len(rows):
            rest = "&".join(f"{k}={v}" for k, v in query.items() if k != "$skiptoken")
            body["@odata.nextLink"] = (
                f"https://graph.test/v1.0{rel}?{rest}&$skiptoken={start + size}"
            )
        return body
