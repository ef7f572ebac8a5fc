"""Turn one message's sender address and date into an email-signal observation.

The classification itself belongs to the rules (``failsafe.detections.email.classify_sender``);
this module is the one small place the connectors call it, so the dependency stays in one line.
Only the sender address is passed on: never a subject, body or preview.
"""

from __future__ import annotations

from typing import Any, Literal, cast

SignalKind = Literal["signup", "billing", "security", "notification", "invite"]
_KINDS = frozenset({"signup", "billing", "security", "notification", "invite"})

Classified = tuple[str, SignalKind]  # (vendor registrable domain, kind)


def classify(address: str, tenant_domains: frozenset[str]) -> Classified | None:
    """(vendor domain, kind) for machine mail from a vendor; None for people and own domains."""
    try:
        from failsafe.detections.email import classify_sender
    except ImportError:
        # Limitation: until the rules engineer's classifier lands, this fallback only knows a
        # few automated sender names; importing the real classifier needs no other change.
        return _fallback(address, tenant_domains)
    return _adapt(classify_sender(address, tenant_domains))


def _adapt(result: Any) -> Classified | None:
    if result is None:
        return None
    if isinstance(result, tuple):
        vendor, kind = result[0], result[1]
    else:
        vendor, kind = result.vendor_domain, result.kind
    kind = str(getattr(kind, "value", kind))
    if kind not in _KINDS:
        return None
    return str(vendor), cast(SignalKind, kind)


_FALLBACK_LOCAL_PARTS: dict[str, SignalKind] = {
    "billing": "billing",
    "invoice": "billing",
    "invoices": "billing",
    "receipts": "billing",
    "payments": "billing",
    "welcome": "signup",
    "onboarding": "signup",
    "verify": "signup",
    "security": "security",
    "security-noreply": "security",
    "invite": "invite",
    "invitations": "invite",
    "noreply": "notification",
    "no-reply": "notification",
    "notifications": "notification",
}


def _fallback(address: str, tenant_domains: frozenset[str]) -> Classified | None:
    local, _, domain = address.strip().lower().rpartition("@")
    if not local or not domain:
        return None
    vendor = registrable_domain(domain)
    if vendor in {registrable_domain(d) for d in tenant_domains}:
        return None
    kind = _FALLBACK_LOCAL_PARTS.get(local)
    return (vendor, kind) if kind else None


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})


def registrable_domain(domain: str) -> str:
    """A close approximation of the registrable domain (last two labels, three for co.uk)."""
    labels = domain.lower().strip(".").split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
