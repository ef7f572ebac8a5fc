"""Mail in each sandbox mailbox: sender and date only (a pure function of spec and person).

Every mailbox gets person-to-person mail from colleagues (the tenant's own domain) and from
consumer domains, which must never count as vendors. The risky profile adds machine mail from
vendors to a few mailboxes; the sender local parts follow the usual automated names
(``billing``/``invoices`` = billing, ``verify``/``welcome`` = signup, ``no-reply``/``noreply``/
``notifications`` = notification).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from failsafe.sandbox import catalog
from failsafe.sandbox.people import Person, Provider, email, guest_mail, person
from failsafe.sandbox.spec import TenantSpec, company, rng


@dataclass(frozen=True, slots=True)
class Message:
    index: int  # position in the mailbox, 0 = newest
    sender_name: str
    sender: str
    at: datetime


# (person index, sender address, days ago) planted in the risky profile.
VENDOR_MAIL: tuple[tuple[int, str, str, int], ...] = (
    (17, "Notion", "verify@notion.so", 10),  # SH-002 notion
    (17, "Notion", "no-reply@notion.so", 5),
    (18, "Slack", "billing@slack.com", 12),  # SH-003 slack
    (19, "WeTransfer", "noreply@wetransfer.com", 8),  # SH-005 wetransfer
    (20, "Zoom", "no-reply@zoom.us", 3),
    (21, "Miro", "notifications@miro.com", 4),
    (22, "Canva", "no-reply@canva.com", 6),
    (23, "Figma", "no-reply@figma.com", 7),
    (24, "Calendly", "notifications@calendly.com", 9),
    (25, "Dropbox", "no-reply@dropbox.com", 11),  # SH-005 dropbox
    (26, "Otter.ai", "no-reply@otter.ai", 2),  # SH-006 otter-ai
    (36, "tl;dv", "billing@tldv.io", 14),  # SH-007 + SH-003 tldv.io (not in the catalog)
    (37, "tl;dv", "billing@tldv.io", 15),
)
MAIL_VENDORS = (
    "notion",
    "slack",
    "wetransfer",
    "zoom",
    "miro",
    "canva",
    "figma",
    "calendly",
    "dropbox",
    "otter-ai",
)


def has_mailbox(p: Person) -> bool:
    """Only licensed, enabled members have a mailbox (others answer 404 / 400)."""
    return p.kind == "member" and bool(p.licenses)


def mailbox(spec: TenantSpec, provider: Provider, index: int) -> list[Message]:
    """Every message of one mailbox, newest first."""
    p = person(spec, provider, index)
    if not has_mailbox(p):
        return []
    r = rng(spec.seed, provider, "mail", index)
    domain = company(spec).domain
    drafts: list[tuple[str, str, datetime]] = []
    for n in range(r.randint(3, 8)):
        at = spec.anchor - timedelta(minutes=r.randint(60, 60 * 24 * 80))
        if n % 2 == 0 and spec.users > 1:
            other = person(spec, provider, r.randrange(spec.users))
            address = guest_mail(other) if other.kind == "guest" else email(spec, provider, other)
            drafts.append((other.display_name, address, at))
        else:
            given, family = r.choice(catalog.FIRST_NAMES), r.choice(catalog.LAST_NAMES)
            home = r.choice(catalog.CONSUMER_DOMAINS)
            drafts.append((f"{given} {family}", f"{given}.{family}@{home}".lower(), at))
    if domain and spec.risky:
        for target, name, sender, days in VENDOR_MAIL:
            if target == index:
                at = spec.anchor - timedelta(days=days, hours=2)
                drafts.append((name, sender, at))
    drafts.sort(key=lambda d: d[2], reverse=True)
    return [Message(i, name, sender, at) for i, (name, sender, at) in enumerate(drafts)]
