"""Classify machine-generated mail from its sender address alone (part of normalisation).

Connectors call :func:`classify_sender` once per message, with nothing but the From address
(subjects and bodies are never requested). The answer attributes the message to a brand (a
catalog vendor, or the registrable domain of an unknown sender) and says what kind of mail it
is from the local part: sign-up, billing, security, notification or invite. People writing
(``jane.doe@...``), consumer mailboxes and the tenant's own domains give ``None``. Every lookup
is a dictionary hit on indexes built once per process.

It lives in ``inventory`` rather than ``detections`` because it turns provider records into
``EmailSignal`` fields: the rules read its output and never call it, and it needs only the
catalog, so normalisation does not depend on the rules package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from failsafe.catalog.domains import host_and_parents, registrable_domain
from failsafe.catalog.loader import load_catalogs

SignalKind = Literal["signup", "billing", "security", "notification", "invite"]

# Mailbox providers for people: a message from them is a person, never a vendor.
CONSUMER_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "qq.com",
        "163.com",
        "126.com",
        "naver.com",
        "orange.fr",
        "free.fr",
        "btinternet.com",
        "comcast.net",
        "verizon.net",
        "att.net",
    ]
)

# The tenant's own providers: mail from them is the platform talking, not a SaaS vendor.
PROVIDER_DOMAINS = frozenset(
    [
        "google.com",
        "microsoft.com",
        "microsoftonline.com",
        "office.com",
        "office365.com",
        "sharepointonline.com",
        "onmicrosoft.com",
        "windows.net",
        "youtube.com",
    ]
)

# Bulk-sending platforms: the From domain there is the platform, not the brand, and the
# address alone cannot tell which brand it sends for, so it is not attributed at all.
# Limitation: attributing platform mail to its brand needs the DKIM d= or Return-Path header,
# which the connectors do not read yet.
SENDING_PLATFORMS = frozenset(
    [
        "sendgrid.net",
        "amazonses.com",
        "mailgun.org",
        "mailgun.net",
        "mcsv.net",
        "mandrillapp.com",
        "rsgsv.net",
        "sparkpostmail.com",
        "mailjet.com",
        "mtasv.net",
        "postmarkapp.com",
        "sendinblue.com",
        "customeriomail.com",
        "mailchimpapp.net",
        "messagegears.net",
    ]
)

# Local-part words, strongest first: a billing or security word outweighs "noreply".
_KIND_WORDS: tuple[tuple[SignalKind, frozenset[str]], ...] = (
    (
        "billing",
        frozenset(
            [
                "billing",
                "invoice",
                "invoices",
                "receipt",
                "receipts",
                "payment",
                "payments",
                "accounts-payable",
                "ar",
                "finance",
                "subscriptions",
                "subscription",
                "orders",
                "order",
                "renewals",
            ]
        ),
    ),
    (
        "security",
        frozenset(
            [
                "security",
                "password",
                "passwords",
                "reset",
                "account-security",
                "alerts-security",
                "verify-login",
                "signin",
                "login",
            ]
        ),
    ),
    ("invite", frozenset(["invite", "invites", "invitation", "invitations"])),
    (
        "signup",
        frozenset(
            [
                "verify",
                "verification",
                "welcome",
                "onboarding",
                "signup",
                "sign-up",
                "register",
                "registration",
                "activate",
                "activation",
                "accounts",
                "account",
                "hello",
                "team",
                "getstarted",
                "start",
                "confirm",
            ]
        ),
    ),
    (
        "notification",
        frozenset(
            [
                "noreply",
                "no-reply",
                "donotreply",
                "do-not-reply",
                "notifications",
                "notification",
                "notify",
                "alerts",
                "alert",
                "updates",
                "update",
                "mailer",
                "info",
                "news",
                "digest",
                "reminders",
                "reminder",
                "bot",
                "system",
                "automated",
                "support",
                "service",
                "messages",
            ]
        ),
    ),
)
_WORD_KIND: dict[str, SignalKind] = {}
for _kind, _words in reversed(_KIND_WORDS):
    for _word in _words:
        _WORD_KIND[_word] = _kind  # stronger kinds overwrite weaker ones
_RANK: dict[SignalKind, int] = {kind: rank for rank, (kind, _) in enumerate(_KIND_WORDS)}
_SPLIT = re.compile(r"[._+\-]+")


@dataclass(frozen=True, slots=True)
class SenderClass:
    """Who sent a machine-generated message and what kind it is."""

    vendor_domain: str  # the brand's registrable domain (EmailSignal.vendor_domain)
    kind: SignalKind
    vendor_id: str | None = None  # catalog slug when the brand is a catalog vendor


def local_part_kind(local: str) -> SignalKind | None:
    """Kind of mail a sender local part stands for; None when it looks like a person."""
    local = local.lower().split("+", 1)[0]
    whole = _WORD_KIND.get(local)
    if whole is not None:
        return whole
    best: SignalKind | None = None
    for token in _SPLIT.split(local):
        kind = _WORD_KIND.get(token)
        if kind is not None and (best is None or _RANK[kind] < _RANK[best]):
            best = kind
    return best


def _own(domain: str, tenant_domains: frozenset[str]) -> bool:
    return any(candidate in tenant_domains for candidate in host_and_parents(domain))


@lru_cache(maxsize=131_072)
def _classify_domain(domain: str) -> tuple[str, str | None] | None:
    """(brand domain, vendor id) for a sender domain, cached: mail repeats its senders."""
    base = registrable_domain(domain)
    if base in CONSUMER_DOMAINS or base in PROVIDER_DOMAINS or base in SENDING_PLATFORMS:
        return None
    vendor = load_catalogs().vendors.by_domain(domain)
    if vendor is not None:
        return vendor.domains[0], vendor.id
    return base, None


def classify_sender(address: str, tenant_domains: frozenset[str]) -> SenderClass | None:
    """Classify one message by its From address; None for people and the tenant's own mail.

    ``tenant_domains`` are the tenant's verified domains, lower-case.
    """
    local, at, domain = address.strip().lower().rpartition("@")
    if not at or not local or "." not in domain:
        return None
    domain = domain.strip(">").rstrip(".")
    if _own(domain, tenant_domains):
        return None
    kind = local_part_kind(local)
    if kind is None:
        return None
    brand = _classify_domain(domain)
    if brand is None:
        return None
    return SenderClass(vendor_domain=brand[0], kind=kind, vendor_id=brand[1])
