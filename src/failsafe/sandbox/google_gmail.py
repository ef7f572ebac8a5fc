"""Gmail API: messages.list, messages.get (metadata), history.list for incremental sync.

Message ids encode (person, position) so a get needs no lookup table. Only the headers named
in ``metadataHeaders`` are returned; asking for ``Subject`` is allowed (the metadata scope
permits it) but recorded so a test can prove FailSafe never does.
"""

from __future__ import annotations

import re
from typing import Any, Final

from failsafe.sandbox.google_auth import GoogleCaller
from failsafe.sandbox.google_paging import GoogleBadRequest, listing, max_results, respond
from failsafe.sandbox.mail import Message, has_mailbox, mailbox
from failsafe.sandbox.people import person, resolve
from failsafe.sandbox.spec import TenantSpec
from failsafe.sandbox.wire import Reply, Req, google_error, google_forbidden

G: Final = "google"
_MASK = 0x3C5A_96F0_0D1E_2B47
HISTORY_BASE = 100_000
METADATA = "gmail.metadata"
READ_SCOPES = (METADATA, "gmail.readonly", "https://mail.google.com/")


def message_id(index: int, position: int) -> str:
    """The opaque Gmail id of message ``position`` of person ``index``."""
    return f"{((index << 16) | position) ^ _MASK:016x}"


def _decode(value: str) -> tuple[int, int] | None:
    try:
        raw = int(value, 16) ^ _MASK
    except ValueError:
        return None
    return raw >> 16, raw & 0xFFFF


def _mailbox_of(
    caller: GoogleCaller, req: Req, m: re.Match[str]
) -> tuple[int, list[Message]] | Reply:
    if not caller.has(*READ_SCOPES):
        return google_forbidden("Request had insufficient authentication scopes.")
    key = m.group("user")
    index = caller.index if key == "me" else resolve(caller.spec, G, key)
    if index != caller.index:
        return google_forbidden(f"Delegation denied for {caller.subject}")
    if not has_mailbox(person(caller.spec, G, index)):
        return google_error(400, "failedPrecondition", "Mail service not enabled")
    return index, mailbox(caller.spec, G, index)


def _history_id(messages: list[Message], msg: Message) -> int:
    return HISTORY_BASE + len(messages) - msg.index


def list_messages(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET messages.list (ids only; no ``q`` with the metadata scope)."""
    found = _mailbox_of(caller, req, m)
    if isinstance(found, Reply):
        return found
    if req.arg("q") is not None and caller.has(METADATA):
        return google_forbidden("Metadata scope does not support 'q' parameter")
    index, messages = found
    size = max_results(req, 100, 500)
    body_head = {"resultSizeEstimate": len(messages)}
    return listing(
        req,
        len(messages),
        lambda n: {"id": message_id(index, n), "threadId": message_id(index, n)},
        key="messages",
        size=size,
        head=body_head,
    )


def get_message(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET one message (``format=metadata`` gives only the named headers)."""
    found = _mailbox_of(caller, req, m)
    if isinstance(found, Reply):
        return found
    index, messages = found
    decoded = _decode(m.group("id"))
    if decoded is None or decoded[0] != index or decoded[1] >= len(messages):
        return google_error(404, "notFound", "Requested entity was not found.")
    fmt = req.arg("format", "full")
    if fmt in ("full", "raw") and caller.has(METADATA):
        return google_forbidden(f"Metadata scope doesn't allow format {str(fmt).upper()}")
    wanted = [h for h in req.args("metadataHeaders")]
    if any(h.lower() == "subject" for h in wanted):
        state = req.context.get("state")
        if state is not None:
            state.mail_content_requests.append(f"{req.path}?metadataHeaders=Subject")
    return respond(req, _message(caller.spec, index, messages, decoded[1], str(fmt), wanted))


def _message(
    spec: TenantSpec, index: int, messages: list[Message], n: int, fmt: str, wanted: list[str]
) -> dict[str, Any]:
    msg = messages[n]
    headers = {
        "from": ("From", f"{msg.sender_name} <{msg.sender}>"),
        "date": ("Date", msg.at.strftime("%a, %d %b %Y %H:%M:%S +0000")),
        "subject": ("Subject", f"Sandbox message {n}"),
    }
    body: dict[str, Any] = {
        "id": message_id(index, n),
        "threadId": message_id(index, n),
        "labelIds": ["INBOX"],
        "historyId": str(_history_id(messages, msg)),
        "internalDate": str(int(msg.at.timestamp() * 1000)),
        "sizeEstimate": 4096 + n,
    }
    if fmt == "metadata":
        chosen = [headers[h.lower()] for h in wanted if h.lower() in headers]
        body["payload"] = {
            "mimeType": "multipart/alternative",
            "headers": [{"name": name, "value": value} for name, value in chosen],
        }
    return body


def history(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET history.list after ``startHistoryId``."""
    found = _mailbox_of(caller, req, m)
    if isinstance(found, Reply):
        return found
    index, messages = found
    raw = req.arg("startHistoryId")
    if raw is None or not raw.isdigit():
        raise GoogleBadRequest("Required parameter: startHistoryId")
    start = int(raw)
    if start < HISTORY_BASE:
        return google_error(404, "notFound", "Requested entity was not found.")
    newer = [msg for msg in messages if _history_id(messages, msg) > start]
    newer.sort(key=lambda msg: _history_id(messages, msg))
    current = HISTORY_BASE + len(messages)

    def render(n: int) -> dict[str, Any]:
        msg = newer[n]
        ref = {"id": message_id(index, msg.index), "threadId": message_id(index, msg.index)}
        return {
            "id": str(_history_id(messages, msg)),
            "messages": [ref],
            "messagesAdded": [{"message": {**ref, "labelIds": ["INBOX"]}}],
        }

    return listing(
        req,
        len(newer),
        render,
        key="history",
        size=max_results(req, 100, 500),
        head={"historyId": str(current)},
    )
