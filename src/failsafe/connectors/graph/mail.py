"""Graph mail metadata for SaaS discovery: sender address and received date, nothing else.

Each mailbox's messages in the window ``[since, until)`` are read through ``$batch`` (20
mailboxes per request). The request selects only ``from`` and ``receivedDateTime``; subjects,
bodies and previews are never requested and would be dropped if a server sent them.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from failsafe.connectors.graph.client import BatchReply, GraphClient
from failsafe.connectors.graph.pump import BatchJob, BatchPump
from failsafe.connectors.timeparse import iso_z, parse_time
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.email import SenderClass, classify_sender

MAIL_SELECT = "from,receivedDateTime"
MAIL_PAGE = "1000"  # the largest $top /messages allows
SENDER_CACHE = 65_536  # distinct senders remembered; bounded so memory stays flat


def first_page_url(user_id: str, since: datetime, until: datetime) -> str:
    """The relative URL of one mailbox's first page in the window."""
    window = f"receivedDateTime ge {iso_z(since)} and receivedDateTime lt {iso_z(until)}"
    return f"/users/{user_id}/messages?$select={MAIL_SELECT}&$top={MAIL_PAGE}&$filter={window}"


class MailReader:
    """Feeds mailboxes into a batch pump and folds each page into email signals."""

    def __init__(
        self,
        graph: GraphClient,
        builder: InventoryBuilder,
        since: datetime,
        until: datetime,
        workers: int,
    ) -> None:
        self._builder = builder
        self._since, self._until = since, until
        self._domains: frozenset[str] = frozenset()  # set in run(), once the organization is read
        self.mailboxes = 0
        self.skipped = 0
        self.pump = BatchPump(graph, self._on_page, on_missing=self._on_missing, workers=workers)
        # Mailboxes share their senders (colleagues, the same vendors), so each address is
        # classified once; the cache is per reader because the verdict depends on the domains.
        self._classify = lru_cache(maxsize=SENDER_CACHE)(self._classify_sender)

    async def feed(self, mailboxes: list[tuple[str, str]]) -> None:
        """Queue the first page of each (user id, email) mailbox."""
        self.mailboxes += len(mailboxes)
        await self.pump.add(
            BatchJob(email, first_page_url(user_id, self._since, self._until))
            for user_id, email in mailboxes
        )

    async def run(self) -> int:
        """Drain the pump; the tenant's verified domains are known by now."""
        self._domains = frozenset(self._builder.tenant.domains)
        self._classify.cache_clear()
        await self.pump.run()
        return self.mailboxes

    def _on_page(self, user: str, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self._fold(user, message)

    def _fold(self, user: str, message: dict[str, Any]) -> None:
        at = parse_time(message.get("receivedDateTime"))
        sender = ((message.get("from") or {}).get("emailAddress") or {}).get("address")
        # The window is also checked here so a server ignoring $filter cannot double count.
        if at is None or not sender or not self._since <= at < self._until:
            return
        self._builder.email.messages_seen += 1
        sender_class = self._classify(str(sender))
        if sender_class is not None:
            self._builder.email.add(sender_class.vendor_domain, user, sender_class.kind, at)

    def _classify_sender(self, sender: str) -> SenderClass | None:
        return classify_sender(sender, self._domains)

    def _on_missing(self, user: str, reply: BatchReply) -> None:
        # A user without an Exchange mailbox (no licence) answers 404; nothing to read there.
        self.skipped += 1
