"""What a sandbox tenant is generated from: seed, size, profile, and what the app was granted.

Everything in a tenant is a pure function of a :class:`TenantSpec`, so the same spec always
gives the same tenant and no tenant is ever materialised whole.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from failsafe.sandbox import catalog

ProfileName = Literal["clean", "risky"]

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
        return self.profile == "risky"

    @property
    def planted(self) -> frozenset[str]:
        """Rule ids this profile plants on purpose."""
        return frozenset(RULE_IDS) if self.risky else frozenset()


def digest(*parts: object) -> int:
    """A stable 64-bit hash of ``parts`` (the same in every process, unlike ``hash``)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def rng(*parts: object) -> random.Random:
    """A private random stream for one generated object."""
    return random.Random(digest(*parts))  # noqa: S311 - test data, not secrets


def guid(*parts: object) -> str:
    """A stable GUID for one generated object."""
    return str(uuid.UUID(int=(digest(*parts, "a") << 64) | digest(*parts, "b"), version=4))


@dataclass(frozen=True)
class Company:
    """The organisation behind both tenants of a spec."""

    name: str
    domain: str  # primary verified domain, lower-case
    initial_domain: str  # {name}.onmicrosoft.com
    tenant_id: str
    customer_id: str  # Google customer id (C + 8 alphanumerics)


def company(spec: TenantSpec) -> Company:
    """Name, domains and ids of the spec's organisation."""
    r = rng(spec.seed, "company")
    word, kind = r.choice(catalog.COMPANY_WORDS), r.choice(catalog.COMPANY_KINDS)
    slug = f"{word}{kind}".lower()
    return Company(
        name=f"{word} {kind}",
        domain=f"{slug}.com",
        initial_domain=f"{slug}{spec.seed % 1000}.onmicrosoft.com",
        tenant_id=guid(spec.seed, "tenant"),
        customer_id="C0" + f"{digest(spec.seed, 'customer'):x}"[:7],
    )
