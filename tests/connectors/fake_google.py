"""A small in-memory Google Workspace customer behind an httpx transport (tokens, Directory,
Reports, Licensing, Gmail list + multipart batch), with scope checks and fault injection."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx

NOW = datetime.now(UTC)
P = "https://www.googleapis.com/auth/"


def _claims(assertion: str) -> dict[str, Any]:
    payload = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@dataclass
class FakeGoogle:
    users: int = 12
    mail_per_user: int = 3
    allowed_scopes: set[str] = field(
        default_factory=lambda: {
            P + "admin.directory.user.readonly",
            P + "admin.directory.rolemanagement.readonly",
            P + "admin.reports.audit.readonly",
            P + "apps.licensing",
            P + "gmail.metadata",
        }
    )
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    delegated_admins: frozenset[int] = frozenset()  # users flagged isDelegatedAdmin
    extra_token_items: list[dict[str, Any]] = field(default_factory=list)
    sender: str = "Notion <billing@notion.so>"  # every message's From header
    log: list[httpx.Request] = field(default_factory=list)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (sub, scope)

    def __post_init__(self) -> None:
        self.faults = defaultdict(list, self.faults)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def email(self, i: int) -> str:
        return f"user{i}@acme.example"

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        path = request.url.path
        for prefix, queue in self.faults.items():
            if queue and path.startswith(prefix):
                kind = queue.pop(0)
                if kind == "403rate":
                    return httpx.Response(
                        403,
                        json={
                            "error": {
                                "code": 403,
                                "errors": [
                                    {"reason": "userRateLimitExceeded", "domain": "usageLimits"}
                                ],
                            }
                        },
                    )
                return httpx.Response(int(kind))
        if path == "/token":
            form = parse_qs(request.content.decode())
            claims = _claims(form["assertion"][0])
            if claims["scope"] not in self.allowed_scopes:
                return httpx.Response(
                    401,
                    json={"error": "unauthorized_client", "error_description": "not authorized"},
                )
            token = f"ya29.{len(self.tokens)}"
            self.tokens[token] = (claims["sub"], claims["scope"])
            return httpx.Response(200, json={"access_token": token, "expires_in": 3599})
        sub, scope = self.tokens.get(request.headers.get("Authorization", "")[7:], ("", ""))
        if not sub:
            return httpx.Response(401, json={"error": {"code": 401}})
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        if path == "/batch":
            return self._batch(request, sub)
        status, body = self.get(path, query, sub, scope)
        return httpx.Response(status, json=body)

    def get(
        self, path: str, query: dict[str, str], sub: str, scope: str
    ) -> tuple[int, dict[str, Any]]:
        if path == "/admin/directory/v1/users":
            rows = [
                {
                    "id": str(1000 + i),
                    "primaryEmail": self.email(i),
                    "name": {"fullName": f"U {i}"},
                    "isAdmin": i == 0,
                    "isDelegatedAdmin": i in self.delegated_admins,
                    "isEnrolledIn2Sv": i % 2 == 0,
                    "isEnforcedIn2Sv": False,
                    "lastLoginTime": "1970-01-01T00:00:00.000Z"
                    if i == 1
                    else "2026-11-01T10:00:00.000Z",
                    "creationTime": "2020-01-01T00:00:00.000Z",
                    "suspended": i == 2,
                    "customerId": "C0123",
                }
                for i in range(self.users)
            ]
            return 200, self._page(rows, query, "users", 5)
        if path == "/admin/directory/v1/customer/C0123/roles":
            return 200, {
                "items": [
                    {
                        "roleId": "1",
                        "roleName": "_SEED_ADMIN_ROLE",
                        "isSuperAdminRole": True,
                        "isSystemRole": True,
                    }
                ]
            }
        if path == "/admin/directory/v1/customer/C0123/roleassignments":
            return 200, {"items": [{"roleId": "1", "assignedTo": "1000", "assigneeType": "user"}]}
        if path.endswith("/applications/token"):
            items = [
                {
                    "id": {"time": "2026-10-01T00:00:00.000Z"},
                    "actor": {"email": self.email(1)},
                    "events": [
                        {
                            "name": "authorize",
                            "parameters": [
                                {"name": "client_id", "value": "otter.apps"},
                                {"name": "app_name", "value": "Otter"},
                                {"name": "scope", "multiValue": [P + "gmail.readonly"]},
                            ],
                        }
                    ],
                },
                {
                    "id": {"time": "2026-10-02T00:00:00.000Z"},
                    "actor": {"email": self.email(3)},
                    "events": [
                        {
                            "name": "revoke",
                            "parameters": [{"name": "client_id", "value": "otter.apps"}],
                        }
                    ],
                },
                {
                    "id": {"time": "2026-09-01T00:00:00.000Z"},
                    "actor": {"email": self.email(3)},
                    "events": [
                        {
                            "name": "authorize",
                            "parameters": [
                                {"name": "client_id", "value": "otter.apps"},
                                {"name": "scope", "multiValue": ["x"]},
                            ],
                        }
                    ],
                },
                {
                    "id": {"time": "2026-11-02T00:00:00.000Z"},
                    "actor": {"email": self.email(1)},
                    "events": [
                        {
                            "name": "activity",
                            "parameters": [
                                {"name": "client_id", "value": "otter.apps"},
                                {"name": "app_name", "value": "Otter"},
                            ],
                        }
                    ],
                },
            ]
            return 200, {"items": items + self.extra_token_items}
        if path.endswith("/applications/login"):
            return 200, {
                "items": [
                    {
                        "id": {"time": "2026-11-20T00:00:00.000Z"},
                        "actor": {"email": self.email(0)},
                        "events": [
                            {
                                "name": "login_success",
                                "parameters": [
                                    {
                                        "name": "login_challenge_method",
                                        "multiValue": ["security_key"],
                                    }
                                ],
                            }
                        ],
                    }
                ]
            }
        if path.startswith("/apps/licensing/v1/product/Google-Apps/users"):
            rows = [
                {
                    "productId": "Google-Apps",
                    "skuId": "1010020028",
                    "skuName": "Business Standard",
                    "userId": self.email(i),
                }
                for i in range(self.users)
            ]
            return 200, self._page(rows, query, "items", 1000)
        if path.startswith("/apps/licensing/"):
            return 404, {"error": {"code": 404, "message": "product not found"}}
        if path.startswith("/gmail/v1/users/") and path.endswith("/messages"):
            assert "q" not in query and scope == P + "gmail.metadata"
            index = int(unquote(path.split("/")[4]).split("@")[0][4:])
            rows = [{"id": f"m{index}-{k}"} for k in range(self.mail_per_user + 2)]
            return 200, self._page(rows, query, "messages", 500)
        return 404, {"error": {"code": 404}}

    def message(self, message_id: str) -> dict[str, Any]:
        _, k = message_id[1:].split("-")
        # The last two messages of each mailbox are older than the 90-day window.
        age = timedelta(days=int(k) + 1) if int(k) < self.mail_per_user else timedelta(days=200)
        return {
            "id": message_id,
            "internalDate": str(int((NOW - age).timestamp() * 1000)),
            "payload": {
                "headers": [
                    {"name": "From", "value": self.sender},
                    {"name": "Date", "value": "x"},
                ]
            },
        }

    def _batch(self, request: httpx.Request, sub: str) -> httpx.Response:
        boundary = request.headers["Content-Type"].split("boundary=")[1]
        out = []
        for part in request.content.decode().split(f"--{boundary}")[1:-1]:
            lines = part.strip().split("\r\n")
            cid = next(line for line in lines if line.startswith("Content-ID")).split("<")[1][:-1]
            request_line = next(line for line in lines if line.startswith("GET "))
            assert "Subject" not in request_line and "format=metadata" in request_line
            message_id = request_line.split()[1].split("?")[0].rsplit("/", 1)[1]
            body = json.dumps(self.message(message_id))
            out.append(
                f"--resp\r\nContent-Type: application/http\r\nContent-ID: <response-{cid}>\r\n\r\n"
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{body}\r\n"
            )
        content = ("".join(out) + "--resp--").encode()
        return httpx.Response(
            200, content=content, headers={"Content-Type": "multipart/mixed; boundary=resp"}
        )

    def _page(
        self, rows: list[dict[str, Any]], query: dict[str, str], key: str, size: int
    ) -> dict[str, Any]:
        size = min(size, int(query.get("maxResults", size)))
        start = int(query.get("pageToken", "0"))
        body: dict[str, Any] = {key: rows[start : start + size]}
        if start + size < len(rows):
            body["nextPageToken"] = str(start + size)
        return body
