"""AES-256-GCM with a key ring.

A sealed value is ``fs1.<key id>.<base64url(nonce || ciphertext || tag)>``. The first key of
the ring seals; every key opens, so keys can be rotated without downtime. Associated data binds a
ciphertext to the row and column it was written for: a value copied to another row won't open.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from failsafe.errors import ConfigurationError, FailSafeError

_PREFIX = "fs1"
_NONCE_BYTES = 12
_KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class SealedSecretError(FailSafeError):
    """A sealed value could not be opened: tampered, wrong row, or its key is gone."""

    code = "sealed_secret_invalid"


@dataclass(frozen=True)
class _Key:
    key_id: str
    cipher: AESGCM


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def generate_key() -> str:
    """A new random 256-bit key, base64url encoded."""
    return _b64encode(os.urandom(_KEY_BYTES))


class KeyRing:
    """The keys this process may seal and open with."""

    def __init__(self, keys: Iterable[tuple[str, bytes]]) -> None:
        ring: list[_Key] = []
        for key_id, raw in keys:
            if not _KEY_ID.match(key_id):
                raise ConfigurationError(f"secret key id {key_id!r} must match {_KEY_ID.pattern}")
            if len(raw) != _KEY_BYTES:
                raise ConfigurationError(f"secret key {key_id!r} must be 32 bytes (AES-256)")
            if any(existing.key_id == key_id for existing in ring):
                raise ConfigurationError(f"secret key id {key_id!r} appears twice")
            ring.append(_Key(key_id, AESGCM(raw)))
        if not ring:
            raise ConfigurationError("the secret key ring is empty")
        self._keys = ring
        self._by_id = {key.key_id: key for key in ring}

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """Read ``"kid:base64key,kid:base64key"`` (the first seals)."""
        pairs: list[tuple[str, bytes]] = []
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key_id, sep, encoded = item.partition(":")
            if not sep:
                raise ConfigurationError("each secret key must be written as id:base64key")
            try:
                pairs.append((key_id, _b64decode(encoded)))
            except (binascii.Error, ValueError) as exc:
                raise ConfigurationError(f"secret key {key_id!r} is not valid base64") from exc
        return cls(pairs)

    @property
    def primary_id(self) -> str:
        return self._keys[0].key_id

    @property
    def key_ids(self) -> list[str]:
        return [key.key_id for key in self._keys]

    def seal(self, plaintext: bytes, associated_data: str) -> str:
        """Encrypt ``plaintext`` for the row named by ``associated_data``."""
        key = self._keys[0]
        nonce = os.urandom(_NONCE_BYTES)
        sealed = key.cipher.encrypt(nonce, plaintext, associated_data.encode())
        return f"{_PREFIX}.{key.key_id}.{_b64encode(nonce + sealed)}"

    def open(self, sealed: str, associated_data: str) -> bytes:
        """Decrypt a value sealed for ``associated_data``; raise if anything is off."""
        key_id, body = self._split(sealed)
        key = self._by_id.get(key_id)
        if key is None:
            raise SealedSecretError(f"no key {key_id!r} in the ring to open this secret")
        try:
            raw = _b64decode(body)
        except (binascii.Error, ValueError) as exc:
            raise SealedSecretError("sealed secret is not valid base64") from exc
        if len(raw) <= _NONCE_BYTES:
            raise SealedSecretError("sealed secret is truncated")
        try:
            return key.cipher.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated_data.encode()
            )
        except InvalidTag as exc:
            raise SealedSecretError("sealed secret failed authentication") from exc

    def key_id_of(self, sealed: str) -> str:
        """Which key sealed this value."""
        return self._split(sealed)[0]

    def needs_reseal(self, sealed: str) -> bool:
        return self.key_id_of(sealed) != self.primary_id

    @staticmethod
    def _split(sealed: str) -> tuple[str, str]:
        prefix, _, rest = sealed.partition(".")
        key_id, _, body = rest.partition(".")
        if prefix != _PREFIX or not key_id or not body:
            raise SealedSecretError("not a sealed secret")
        return key_id, body
