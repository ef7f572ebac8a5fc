"""Gmail metadata for SaaS discovery: From and Date headers only, via the batch endpoint.

Per mailbox: a token impersonating its owner (gmail.metadata scope: bodies are out of reach),
``messages.list`` pages of 500 ids newest first, then ``format=metadata`` GETs of those ids in
batches of up to 100, stopping at the first message older than the window. ``q`` is not allowed
with the metadata scope, so the window is enforced by ``internalDate``.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote

from failsafe.connectors.errors import (
    AccessDenied,
    CollectionError,
    RetriesExhausted,
    UnexpectedResponse,
)
from failsafe.connectors.google import batch
from failsafe.connectors.google.auth import GoogleToken
from failsafe.connectors.google.client import GoogleClient
from failsafe.connectors.http import backoff, raise_for_status
from failsafe.connectors.timeparse import from_epoch_ms
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.email import classify_sender

# From and Date only; Subject is never asked for.
GET_QUERY = (
    "format=metadata&metadataHeaders=From&metadataHeaders=Date"
    "&fields=id,internalDate,payload/headers"
)
TRANSIENT = frozenset({429, 500, 502, 503, 504})
_ANGLE_ADDRESS = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>")


class GmailReader:
    """A pool of mailbox readers fed by the users section."""

    def __init__(
        self,
        google: GoogleClient,
        builder: InventoryBuilder,
        since: datetime,
        until: datetime,
        workers: int,
        domains: set[str],
    ) -> None:
        self._google = google
        self._live_domains = domains  # filled by the users section as its pages arrive
        self._builder = builder
        self._since, self._until = since, until
        self._workers = max(workers, 1)
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=2_000)
        self.failure: CollectionError | None = None
        self.mailboxes = 0
        self._domains: frozenset[str] = frozenset()

    async def feed(self, emails: list[str]) -> None:
        for email in emails:
            await self._queue.put(email)

    async def close(self, failure: CollectionError | None = None) -> None:
        """No more mailboxes; ``failure`` when the user list itself could not be read."""
        if failure is not None and self.failure is None:
            self.failure = failure
        for _ in range(self._workers):
            await self._queue.put(None)

    async def run(self) -> int:
        await asyncio.gather(*(self._worker() for _ in range(self._workers)))
        if self.failure is not None:
            raise self.failure
        return self.mailboxes

    async def _worker(self) -> None:
        while (email := await self._queue.get()) is not None:
            if self.failure is not None:
                continue  # keep draining so the producer never blocks
            try:
                await self._mailbox(email)
                self.mailboxes += 1
            except CollectionError as exc:
                self.failure = self.failure or exc

    async def _mailbox(self, email: str) -> None:
        token = self._google.mailbox_token(email)
        url = f"{self._google.gmail_base}/gmail/v1/users/{quote(email)}/messages"
        params = {"maxResults": "500", "includeSpamTrash": "false"}
        try:
            async for page in self._google.pages(url, params, "messages", token):
                ids = [str(m["id"]) for m in page if m.get("id")]
                if not await self._read_ids(email, token, ids):
                    return
        except UnexpectedResponse as exc:
            if exc.status in (400, 404):  # mailbox not set up (no Gmail licence)
                return
            raise

    async def _read_ids(self, email: str, token: GoogleToken, ids: list[str]) -> bool:
        """Fold the ids' metadata; False once a message older than the window was seen."""
        for start in range(0, len(ids), batch.BATCH_LIMIT):
            messages = await self._fetch(email, token, ids[start : start + batch.BATCH_LIMIT])
            older = False
            for message in messages:
                older = self._fold(email, message) or older
            if older:
                return False
        return True

    async def _fetch(self, email: str, token: GoogleToken, ids: list[str]) -> list[dict[str, Any]]:
        """GET ``ids`` in one batch, retrying throttled parts; the messages in list order."""
        found: dict[int, dict[str, Any]] = {}
        todo = list(range(len(ids)))
        for attempt in range(self._google.http.options.max_retries + 1):
            paths = [f"/gmail/v1/users/{quote(email)}/messages/{ids[i]}?{GET_QUERY}" for i in todo]
            retry, wait = await self._send(token, paths, todo, found)
            if not retry:
                return [found[i] for i in sorted(found)]
            todo = retry
            if attempt < self._google.http.options.max_retries:
                await self._google.http.sleep(wait or backoff(attempt))
        raise RetriesExhausted("Gmail batch parts still throttled after the retry cap")

    async def _send(
        self, token: GoogleToken, paths: list[str], todo: list[int], found: dict[int, Any]
    ) -> tuple[list[int], float]:
        body, boundary = batch.build_body(paths)
        response = await self._google.http.send(
            "POST",
            self._google.batch_url,
            auth=token,
            content=body,
            headers={"Content-Type": f"multipart/mixed; boundary={boundary}"},
        )
        raise_for_status(response)
        parts = batch.parse_reply(response.headers.get("Content-Type", ""), response.content)
        answered, retry, wait = set(), [], 0.0
        for part in parts:
            if not 0 <= part.index < len(todo):
                raise UnexpectedResponse("a Gmail batch reply names a request that was not sent")
            original = todo[part.index]
            answered.add(part.index)
            if part.status == 200:
                found[original] = part.body
            elif part.status in TRANSIENT or _rate_limited(part):
                retry.append(original)
                wait = max(wait, part.retry_after or 0.0)
            elif part.status in (401, 403):
                raise AccessDenied(f"{part.status} from a Gmail batch part")
            elif part.status != 404:  # 404: deleted since it was listed
                raise UnexpectedResponse(f"{part.status} from a Gmail batch part", part.status)
        retry += [todo[i] for i in range(len(todo)) if i not in answered]
        return retry, wait

    def _fold(self, email: str, message: dict[str, Any]) -> bool:
        """Count one message; True when it is older than the window."""
        at = from_epoch_ms(message.get("internalDate"))
        if at is None:
            return False
        if at < self._since:
            return True
        if at >= self._until:
            return False
        headers = (message.get("payload") or {}).get("headers") or []
        sender = next(
            (h.get("value") for h in headers if str(h.get("name")).lower() == "from"), None
        )
        address = sender_address(str(sender)) if sender else ""
        self._builder.email.messages_seen += 1
        if len(self._domains) != len(self._live_domains):
            self._domains = frozenset(self._live_domains)
        sender_class = classify_sender(address, self._domains) if address else None
        if sender_class is not None:
            self._builder.email.add(sender_class.vendor_domain, email, sender_class.kind, at)
        return False


def sender_address(header: str) -> str:
    """The address of a From header value; "" when it names none.

    Gmail returns headers as the sender wrote them, and display names with unquoted specials
    (``tl;dv <billing@tldv.io>``) are common; ``parseaddr`` reads those as a group and returns
    a fragment of the name, so the bracketed address, which is unambiguous, is preferred.
    """
    bracketed = _ANGLE_ADDRESS.findall(header)
    if bracketed:
        return str(bracketed[-1])  # a quoted display name may itself hold "<...>"
    address = parseaddr(header)[1]
    return address if "@" in address else ""


def _rate_limited(part: batch.PartReply) -> bool:
    error = part.body.get("error") or {}
    reasons = {e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)}
    return part.status == 403 and bool(reasons & {"userRateLimitExceeded", "rateLimitExceeded"})
