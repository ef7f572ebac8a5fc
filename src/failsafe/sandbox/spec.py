"""What a sandbox tenant is generated from: seed, size, profile, and what the app was granted.

Everything in a tenant is a pure function of a :class:`TenantSpec`, so the same spec always
gives the same tenant and no tenant is ever materialised whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal, TypeVar

from failsafe.sandbox import catalog

ProfileName = Literal["clean", "risky"]
T = TypeVar("T")

# Every rule id of docs/rules.md; the risky profile plants each at least once.
RULE_IDS: tuple[str, ...] = (
    *(f"SH-00{n}" for n in range(1, 9)),
    *(f"AP-{n:03d}" for n in range(1, 11)),
    *(f"ID-{n:03d}" for n in range(1, 16)),
    *(f"LW-00{n}" for n in range(1, 6)),
)
RISKY_MIN_USERS = 41  # the planted subjects occupy user indices 0..40

GOOGLE_DELEGATED_SCOPES: tuple[str, ...] = tuple(
    catalog.GOOGLE_SCOPE + s
    for s in (
        "admin.directory.user.readonly",
        "admin.directory.rolemanagement.readonly",
        "admin.reports.audit.readonly",
        "apps.licensing",
        "admin.directory.user.security",
        "gmail.metadata",
    )
)


def _today() -> datetime:
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class TenantSpec:
    """One sandbox tenant pair (a Microsoft tenant and a Google customer) of ``users`` users.

    ``anchor`` is the tenant's "now" for generated times (midnight UTC today by default), so a
    tenant generated twice on the same day is identical and nothing lies in the scan's future.
    """

    seed: int = 1
    users: int = 50
    profile: ProfileName = "clean"
    premium: bool = True  # Entra ID P1/P2: signInActivity, signIns, registration details
    granted_roles: tuple[str, ...] = catalog.DEFAULT_GRANTED_ROLES
    google_scopes: tuple[str, ...] = GOOGLE_DELEGATED_SCOPES
    anchor: datetime = field(default_factory=_today)

    def __post_init__(self) -> None:
        if self.users < 1:
            raise ValueError("a tenant has at least one user")
        if self.profile == "risky" and self.users < RISKY_MIN_USERS:
            raise ValueError(f"the risky profile needs at least {RISKY_MIN_USERS} users")

    @property
    def risky(self) -> bool:
        """Whether this is the risky profile."""
        return self.profile == "risky"

    @property
    def planted(self) -> frozenset[str]:
        """Rule ids this profile plants on purpose."""
        return frozenset(RULE_IDS) if self.risky else frozenset()


def _key(parts: tuple[object, ...]) -> bytes:
    return "\x1f".join(map(str, parts)).encode()


def digest(*parts: object) -> int:
    """A stable 64-bit hash of ``parts`` (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(_key(parts), digest_size=8).digest(), "big")


class Draw:
    """Cheap deterministic draws from one 64-byte digest (no ``random.Random`` seeding cost)."""

    __slots__ = ("_data", "_pos")

    def __init__(self, *parts: object) -> None:
        self._data = hashlib.blake2b(_key(parts), digest_size=64).digest()
        self._pos = 0

    def _next(self) -> int:
        if self._pos + 4 > len(self._data):
            self._data = hashlib.blake2b(self._data, digest_size=64).digest()
            self._pos = 0
        value = int.from_bytes(self._data[self._pos : self._pos + 4], "big")
        self._pos += 4
        return value

    def random(self) -> float:
        """A float in [0, 1)."""
        return self._next() / 2**32

    def randint(self, low: int, high: int) -> int:
        """An int in [low, high]."""
        return low + self._next() % (high - low + 1)

    def randrange(self, stop: int) -> int:
        """An int in [0, stop)."""
        return self._next() % stop

    def choice(self, items: Sequence[T]) -> T:
        """One item of ``items``."""
        return items[self._next() % len(items)]


def rng(*parts: object) -> Draw:
    """A private stream of draws for one generated object."""
    return Draw(*parts)


def guid(*parts: object) -> str:
    """A stable GUID (version-4 shaped) for one generated object."""
    h = hashlib.blake2b(_key(parts), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


@dataclass(frozen=True)
class Company:
    """The organisation behind both tenants of a spec."""

    name: str
    domain: str  # primary verified domain, lower-case
    initial_domain: str  # {name}.onmicrosoft.com
    tenant_id: str
    customer_id: str  # Google customer id (C + 8 alphanumerics)


@lru_cache(maxsize=256)
def company(spec: TenantSpec) -> Company:
    """Name, domains and ids of the spec's organisation."""
    # A pure mapping (not a draw) so two seeds never share a domain in one sandbox.
    words, kinds = catalog.COMPANY_WORDS, catalog.COMPANY_KINDS
    word = words[spec.seed % len(words)]
    kind = kinds[(spec.seed // len(words)) % len(kinds)]
    cycle = spec.seed // (len(words) * len(kinds))
    slug = f"{word}{kind}".lower() + (str(cycle) if cycle else "")
    return Company(
        name=f"{word} {kind}",
        domain=f"{slug}.com",
        initial_domain=f"{slug}.onmicrosoft.com",
        tenant_id=guid(spec.seed, "tenant"),
        customer_id="C0" + f"{digest(spec.seed, 'customer'):x}"[:7],
    )
