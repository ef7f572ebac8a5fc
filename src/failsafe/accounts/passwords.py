"""Passwords per NIST SP 800-63B: long, no composition rules, screened, argon2id-hashed.

- At least 15 characters for everyone, whether or not MFA is enrolled: a client may remove MFA
  at any time, which would leave an 8-character password as a single factor (SP 800-63B rev. 4
  asks 15 for single-factor passwords). Up to 256 characters; any Unicode (NFKC-normalised,
  counted in code points), spaces included; no rules on character classes.
- Refused when it is on the shipped list of common and breached passwords (checked case-folded,
  and again with leading/trailing digits and symbols removed), when it is one repeated or
  sequential run, or when it contains the user's email, its local part or a name of theirs.
- Hashed with argon2id (argon2-cffi); when the configured cost changes, the hash is upgraded at
  the next successful sign-in (``check_needs_rehash``).
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from failsafe.accounts.errors import WeakPassword
from failsafe.settings import Settings

MIN_LENGTH = 15
MAX_LENGTH = 256
_EDGE_NOISE = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")
_SERVICE_WORDS = ("failsafe", "optiflow")


def normalise(password: str) -> str:
    """The form that is hashed and measured (SP 800-63B: NFKC before hashing)."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, loaded once per process."""
    data = resources.files("failsafe.accounts.data").joinpath("common-passwords.txt.gz")
    text = gzip.decompress(data.read_bytes()).decode()
    return frozenset(line for line in text.splitlines() if line)


def _is_run(folded: str) -> bool:
    """One character repeated, a short unit repeated, or a straight sequence."""
    if len(set(folded)) <= 3:
        return True
    for size in range(1, 5):
        unit = folded[:size]
        if unit * (len(folded) // size) + unit[: len(folded) % size] == folded:
            return True
    return any(folded in seq or folded in seq[::-1] for seq in _SEQUENCES)


def _context_words(email: str, names: tuple[str, ...]) -> set[str]:
    local, _, domain = email.lower().partition("@")
    words = {email.lower(), local, domain.split(".")[0], *_SERVICE_WORDS}
    for name in names:
        words.update(part for part in re.split(r"[\s._-]+", name.casefold()) if part)
    return {word for word in words if len(word) >= 4}


def check_password(password: str, *, email: str, names: tuple[str, ...] = ()) -> None:
    """Raise :class:`WeakPassword` with the reason, or return when the password is acceptable."""
    value = normalise(password)
    if len(value) < MIN_LENGTH:
        raise WeakPassword(f"password must be at least {MIN_LENGTH} characters")
    if len(value) > MAX_LENGTH:
        raise WeakPassword(f"password must be at most {MAX_LENGTH} characters")

    folded = value.casefold()
    stripped = _EDGE_NOISE.sub("", folded)
    listed = common_passwords()
    if folded in listed or stripped in listed or folded.replace(" ", "") in listed:
        raise WeakPassword("this password is too common; choose another")
    if _is_run(folded) or _is_run(stripped or folded):
        raise WeakPassword("this password is a repeated or sequential pattern")
    if any(word in folded for word in _context_words(email, names)):
        raise WeakPassword("the password must not contain your email, your name or our name")


class PasswordService:
    """Argon2id hashing with the configured cost, and a decoy for unknown users."""

    def __init__(self, *, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID
        )
        # Verified against when the email is unknown, so both paths do the same hashing work.
        self._decoy = self._hasher.hash("decoy password that never matches anything")

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordService:
        return _service(settings.password_hash_time_cost, settings.password_hash_memory_kib)

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalise(password))

    def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches; with no stored hash, burn the same time and fail."""
        try:
            return self._hasher.verify(stored or self._decoy, normalise(password)) and (
                stored is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def burn(self, password: str) -> None:
        """Do one verification's worth of work and discard it (timing equaliser)."""
        self.verify(None, password)

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


@cache
def _service(time_cost: int, memory_kib: int) -> PasswordService:
    return PasswordService(time_cost=time_cost, memory_kib=memory_kib)
