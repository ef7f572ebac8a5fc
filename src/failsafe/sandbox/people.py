"""The people of a sandbox tenant: person ``i`` is a pure function of (spec, provider, i).

Regular people are healthy (enabled, MFA, recent sign-in, one productivity licence). The first
indices hold the special people: global admins, and in the risky profile one planted subject
per identity and licence rule (see :mod:`failsafe.sandbox.truth` for which rule each one fires).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from failsafe.sandbox import catalog
from failsafe.sandbox.spec import TenantSpec, company, digest, rng

Provider = Literal["microsoft", "google"]
STRONG = ("fido2", "microsoftAuthenticatorPush")
PUSH = ("microsoftAuthenticatorPush", "softwareOneTimePasscode")
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Person:
    """A provider-neutral user record the Graph and Google views are rendered from."""

    index: int
    given: str
    family: str
    local: str
    kind: Literal["member", "guest"]
    enabled: bool
    created_at: datetime
    last_sign_in: datetime | None  # None: never signed in
    mfa_methods: tuple[str, ...]  # empty: not registered (Google: not enrolled in 2SV)
    mfa_enforced: bool = True  # Google 2SV enforcement
    role: str | None = None  # directory role display name (Microsoft) / role key (Google)
    licenses: tuple[str, ...] = ()  # SKU part numbers (Microsoft) or "google" (Workspace)
    legacy_sign_in: bool = False
    slot: str = "regular"

    @property
    def display_name(self) -> str:
        """Given and family name."""
        return f"{self.given} {self.family}"

    @property
    def is_global_admin(self) -> bool:
        """Global Administrator (Microsoft) or super admin (Google)."""
        return self.role in ("Global Administrator", "super_admin")


Maker = Callable[[TenantSpec, "Person"], "Person"]


def global_admin_count(spec: TenantSpec, provider: Provider) -> int:
    """How many enabled global (super) admins the tenant has."""
    if spec.risky:
        return 5 if provider == "microsoft" else 1
    return min(2 + spec.seed % 3, spec.users)


def person(spec: TenantSpec, provider: Provider, index: int) -> Person:
    """Person ``index`` (0-based) of the tenant."""
    return _person(spec, provider, index)


# Large enough for every person of a 50,000-user tenant on both providers: mailboxes draw their
# colleagues at random, and regenerating people was the simulator's largest cost per $batch.
@lru_cache(maxsize=131_072)
def _person(spec: TenantSpec, provider: Provider, index: int) -> Person:
    if not 0 <= index < spec.users:
        raise IndexError(index)
    base = _regular(spec, provider, index)
    admins = global_admin_count(spec, provider)
    if index < admins:
        return _global_admin(spec, provider, base, index)
    if spec.risky:
        special = _MICROSOFT_SLOTS if provider == "microsoft" else _GOOGLE_SLOTS
        maker = special.get(index)
        if maker is not None:
            return maker(spec, base)
    return base


def _regular(spec: TenantSpec, provider: Provider, index: int) -> Person:
    r = rng(spec.seed, provider, "person", index)
    given, family = r.choice(catalog.FIRST_NAMES), r.choice(catalog.LAST_NAMES)
    guest = provider == "microsoft" and index >= 41 and r.random() < 0.05
    disabled = not guest and index >= 41 and r.random() < 0.02
    created = spec.anchor - DAY * r.randint(120, 1500) - timedelta(seconds=r.randint(0, 86399))
    last = spec.anchor - timedelta(minutes=r.randint(30, 20 * 24 * 60))
    if disabled:
        last = spec.anchor - DAY * r.randint(200, 400)
    licensed = not guest and not disabled
    sku = "SPE_E3" if provider == "microsoft" else "google"
    return Person(
        index=index,
        given=given,
        family=family,
        local=f"{given}.{family}{index}".lower(),
        kind="guest" if guest else "member",
        enabled=not disabled,
        created_at=created,
        last_sign_in=last,
        mfa_methods=PUSH if r.random() < 0.7 else ("mobilePhone", "microsoftAuthenticatorPush"),
        licenses=(sku,) if licensed else (),
    )


def _global_admin(spec: TenantSpec, provider: Provider, base: Person, index: int) -> Person:
    role = "Global Administrator" if provider == "microsoft" else "super_admin"
    licensed = spec.risky and provider == "microsoft" and index == 4  # ID-015
    return replace(
        base,
        local=f"admin.{base.family.lower()}{index}",
        kind="member",
        enabled=True,
        last_sign_in=spec.anchor - timedelta(hours=6 + 5 * index),
        mfa_methods=STRONG,
        role=role,
        licenses=("SPE_E3",) if licensed else (),
        slot="ga_licensed" if licensed else "global_admin",
    )


def _days_ago(spec: TenantSpec, days: int) -> datetime:
    return spec.anchor - DAY * days - timedelta(hours=3)


def _ms_admin(role: str, slot: str, **changes: object) -> Maker:
    def make(spec: TenantSpec, base: Person) -> Person:
        fields: dict[str, object] = {
            "role": role,
            "slot": slot,
            "licenses": (),
            "mfa_methods": STRONG,
            "local": f"{slot.replace('_', '.')}.{base.family.lower()}{base.index}",
        }
        fields.update(changes)
        if "days" in fields:
            fields["last_sign_in"] = _days_ago(spec, int(str(fields.pop("days"))))
        return replace(base, **fields)  # type: ignore[arg-type]

    return make


def _slot(slot: str, **changes: object) -> Maker:
    def make(spec: TenantSpec, base: Person) -> Person:
        fields: dict[str, object] = {"slot": slot}
        fields.update(changes)
        if "days" in fields:
            days = fields.pop("days")
            fields["last_sign_in"] = None if days is None else _days_ago(spec, int(str(days)))
        if "created_days" in fields:
            fields["created_at"] = _days_ago(spec, int(str(fields.pop("created_days"))))
        return replace(base, **fields)  # type: ignore[arg-type]

    return make


E3 = ("SPE_E3",)
_MICROSOFT_SLOTS: dict[int, Maker] = {
    5: _ms_admin("User Administrator", "admin_no_mfa", mfa_methods=()),  # ID-001
    6: _ms_admin("SharePoint Administrator", "admin_weak_mfa", mfa_methods=PUSH),  # ID-011
    7: _ms_admin("Security Administrator", "admin_stale", days=60),  # ID-012
    8: _ms_admin("Exchange Administrator", "admin_disabled", enabled=False),  # ID-006
    9: _ms_admin("Helpdesk Administrator", "guest_admin", kind="guest"),  # ID-007
    10: _slot("member_no_mfa", mfa_methods=(), licenses=E3),  # ID-002
    11: _slot("member_stale", days=200, licenses=E3),  # ID-005, LW-003
    12: _slot("guest_stale", kind="guest", days=150, licenses=()),  # ID-014
    13: _slot("disabled_licensed", enabled=False, days=120, licenses=E3),  # LW-002
    14: _slot("never_signed_in", days=None, created_days=60, licenses=E3),  # LW-005
    15: _slot("overlap", licenses=("SPE_E3", "SPE_E5")),  # LW-004
    16: _slot("legacy_auth", legacy_sign_in=True, licenses=E3),  # ID-008
}
G = ("google",)
_GOOGLE_SLOTS: dict[int, Maker] = {
    1: _ms_admin("user_management", "admin_no_2sv", mfa_methods=(), licenses=G),  # ID-001
    2: _slot("member_no_2sv", mfa_methods=(), mfa_enforced=False),  # ID-002, ID-010
    3: _slot("member_stale", days=200),  # ID-005, LW-003
    4: _slot("suspended_licensed", enabled=False, days=100),  # LW-002
}


def email(spec: TenantSpec, provider: Provider, p: Person) -> str:
    """The identity's lower-case email (Graph UPN, Google primary email)."""
    org = company(spec)
    if p.kind == "guest":
        home = catalog.CONSUMER_DOMAINS[p.index % len(catalog.CONSUMER_DOMAINS)]
        return f"{p.local}_{home.replace('.', '_')}#ext#@{org.initial_domain}"
    return f"{p.local}@{org.domain}"


def guest_mail(p: Person) -> str:
    """A guest's home address (the ``mail`` property)."""
    home = catalog.CONSUMER_DOMAINS[p.index % len(catalog.CONSUMER_DOMAINS)]
    return f"{p.local}@{home}"


_ID_MASK = 0x5A5A5A5A5


def object_id(spec: TenantSpec, provider: Provider, index: int) -> str:
    """Graph user object id (GUID) or Google user id (21 digits); the index is recoverable."""
    h = digest(spec.seed, provider, "oid", index)
    if provider == "google":
        return f"1{h % 10**10:010d}{index ^ _ID_MASK:011d}"
    tail = index ^ _ID_MASK
    return (
        f"{h >> 32:08x}-{(h >> 16) & 0xFFFF:04x}-4{(h >> 4) & 0xFFF:03x}-"
        f"{0x8000 | (h & 0x3FFF):04x}-{tail:012x}"
    )


def index_of_id(spec: TenantSpec, provider: Provider, value: str) -> int | None:
    """The person index behind an object id, or None if no such user exists."""
    try:
        raw = int(value[-11:]) if provider == "google" else int(value[-12:], 16)
    except ValueError:
        return None
    index = raw ^ _ID_MASK
    if 0 <= index < spec.users and object_id(spec, provider, index) == value.lower():
        return index
    return None


_TRAILING_DIGITS = re.compile(r"(\d+)(?:_[a-z_]+#ext#)?@")


def index_of_email(spec: TenantSpec, provider: Provider, value: str) -> int | None:
    """The person index behind an email / UPN, or None."""
    match = _TRAILING_DIGITS.search(value.lower())
    if match is None:
        return None
    index = int(match.group(1))
    if 0 <= index < spec.users and email(spec, provider, person(spec, provider, index)) == (
        value.lower()
    ):
        return index
    return None


def resolve(spec: TenantSpec, provider: Provider, key: str) -> int | None:
    """A user by object id or email."""
    if "@" in key:
        return index_of_email(spec, provider, key)
    return index_of_id(spec, provider, key)
