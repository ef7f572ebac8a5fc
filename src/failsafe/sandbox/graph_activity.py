"""Graph activity and policy endpoints: sign-in log, mail metadata, tenant policies."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from failsafe.sandbox import graph_model as gm
from failsafe.sandbox import graph_policies as gp
from failsafe.sandbox import graph_signins as gs
from failsafe.sandbox.graph_auth import require
from failsafe.sandbox.graph_paging import (
    BadQuery,
    collection,
    compare,
    page,
    parse_filter,
    parse_time,
    top_of,
)
from failsafe.sandbox.mail import Message, has_mailbox, mailbox
from failsafe.sandbox.people import person, resolve
from failsafe.sandbox.spec import TenantSpec, digest
from failsafe.sandbox.wire import Reply, Req, graph_error, graph_not_found, ok

POLICY_READ = ("Policy.Read.All",)
MAIL_READ = ("Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite")
MAIL_CONTENT = frozenset({"subject", "body", "bodyPreview", "uniqueBody"})
MESSAGE_FIELDS = frozenset(
    {
        "id",
        "from",
        "sender",
        "receivedDateTime",
        "toRecipients",
        "internetMessageId",
        "hasAttachments",
        "isRead",
        "parentFolderId",
    }
    | MAIL_CONTENT
)
SIGN_IN_FILTERS = ("createdDateTime", "appId", "userPrincipalName", "userId", "clientAppUsed")
Roles = frozenset[str]


def sign_ins(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET the sign-in log (``createdDateTime ge`` in O(log n))."""
    denied = require(spec, roles, ("AuditLog.Read.All",), premium=True)
    if denied:
        return denied
    terms = parse_filter(req)
    since: datetime | None = None
    rest = []
    for field, op, value in terms:
        if field not in SIGN_IN_FILTERS:
            raise BadQuery(f"Unsupported filter property {field}.")
        if field == "createdDateTime" and op in ("ge", "gt"):
            since = parse_time(value)
        else:
            rest.append((field, op, parse_time(value) if field == "createdDateTime" else value))
    # Newest first: the ``ge`` bound is a prefix of the log, found by binary search.
    total = gs.sign_in_count(spec) if since is None else gs.sign_in_cutoff(spec, since)
    size = top_of(req, 1000, 1000)
    select = req.arg("$select")
    names = [n.strip() for n in select.split(",")] if select else None

    def render(n: int) -> dict[str, Any]:
        event = gs.sign_in_event(spec, n)
        if names is None:
            return gs.sign_in_json(spec, event, n)
        return gs.sign_in_selected(spec, event, n, names)

    if not rest:
        return page(req, total, render, size=size, context="auditLogs/signIns")
    # Limitation: other filters scan the window (fine for tests, not for 50k-user benchmarks).
    matched = [i for i in range(total) if _matches(spec, i, rest)]
    return page(
        req, len(matched), lambda n: render(matched[n]), size=size, context="auditLogs/signIns"
    )


def _matches(spec: TenantSpec, n: int, terms: list[tuple[str, str, Any]]) -> bool:
    event = gs.sign_in_event(spec, n)
    item = gs.sign_in_json(spec, event, n)
    for field, op, value in terms:
        left = event.at if field == "createdDateTime" else item.get(field)
        if isinstance(left, str):
            left, value = left.lower(), str(value).lower()
        if not compare(left, op, value):
            return False
    return True


def authorization_policy(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET the authorization policy (user consent settings)."""
    return require(spec, roles, POLICY_READ) or ok(gp.authorization_policy(spec))


def security_defaults(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET the security-defaults policy (off in both profiles)."""
    denied = require(spec, roles, POLICY_READ)
    if denied:
        return denied
    body = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/"
        "identitySecurityDefaultsEnforcementPolicy/$entity",
        "id": "00000000-0000-0000-0000-000000000005",
        "displayName": "Security Defaults",
        "description": "Security defaults is a set of basic identity security mechanisms.",
        "isEnabled": False,  # both profiles use conditional access instead
    }
    chosen = req.arg("$select")
    if chosen:
        body = {k: v for k, v in body.items() if k.startswith("@") or k in chosen.split(",")}
    return ok(body)


def conditional_access(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """GET conditional-access policies."""
    denied = require(spec, roles, POLICY_READ, premium=True)
    if denied:
        return denied
    return collection(req, gp.conditional_access_json(spec), "identity/conditionalAccess/policies")


def messages(spec: TenantSpec, roles: Roles, req: Req, m: re.Match[str]) -> Reply:
    """Mail metadata; subjects and bodies only when explicitly selected (and then recorded)."""
    denied = require(spec, roles, MAIL_READ)
    if denied:
        return denied
    index = resolve(spec, "microsoft", m.group("id"))
    if index is None:
        return graph_not_found()
    if not has_mailbox(person(spec, "microsoft", index)):
        return graph_error(
            404,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        )
    raw = req.arg("$select")
    names = frozenset(n.strip() for n in raw.split(",")) if raw else None
    if names is not None and names - MESSAGE_FIELDS:
        raise BadQuery(f"Could not find a property named '{sorted(names - MESSAGE_FIELDS)[0]}'.")
    if names is not None and names & MAIL_CONTENT:
        state = req.context.get("state")
        if state is not None:
            state.mail_content_requests.append(f"{req.path}?$select={raw}")
    items = mailbox(spec, "microsoft", index)
    for field, op, value in parse_filter(req):
        if field != "receivedDateTime":
            raise BadQuery(f"Unsupported filter property {field}.")
        bound = parse_time(value)
        items = [i for i in items if compare(i.at, op, bound)]
    wanted = names or frozenset({"id", "receivedDateTime", "from", "sender"})
    full_body = bool(roles & {"Mail.Read", "Mail.ReadWrite"})
    # One hash per mailbox, the message's position appended: a hash per message was a fifth of
    # the simulator's CPU in a mail $batch.
    id_prefix = f"AAMkAD{digest(spec.seed, 'mailbox', index):016x}"
    return page(
        req,
        len(items),
        lambda n: _message(id_prefix, items[n], wanted, full_body),
        size=top_of(req, 10, 1000),
        context=f"users('{m.group('id')}')/messages",
        link="$skip",
    )


def _message(
    id_prefix: str, msg: Message, wanted: frozenset[str], full_body: bool
) -> dict[str, Any]:
    address = {"emailAddress": {"name": msg.sender_name, "address": msg.sender}}
    full: dict[str, Any] = {
        "id": f"{id_prefix}{msg.index:04x}",
        "receivedDateTime": gm.iso(msg.at),
        "from": address,
        "sender": address,
    }
    if wanted - full.keys():
        full.update(hasAttachments=False, isRead=True, subject=f"Sandbox message {msg.index}")
    if full_body and wanted & MAIL_CONTENT:
        full["bodyPreview"] = "Sandbox body."
        full["body"] = {"contentType": "text", "content": "Sandbox body."}
    out: dict[str, Any] = {"@odata.etag": f'W/"{msg.index}"'}
    out.update({k: full.get(k) for k in ("id", *sorted(wanted)) if k in full or k in wanted})
    return out
