"""Sealed secrets: AES-256-GCM with a key ring and row-bound associated data."""

from __future__ import annotations

import base64

import pytest

from failsafe.errors import ConfigurationError
from failsafe.secrets.config import load_keyring
from failsafe.secrets.keyring import KeyRing, SealedSecretError, generate_key
from failsafe.settings import Settings

AAD = "connections.sealed_credentials:8a7c0d2e-0000-4000-8000-000000000001"


def ring(*ids: str) -> KeyRing:
    return KeyRing.parse(",".join(f"{key_id}:{generate_key()}" for key_id in ids))


def test_round_trip() -> None:
    keys = ring("k1")
    sealed = keys.seal(b'{"client_secret": "s3cr3t"}', AAD)
    assert b"s3cr3t" not in sealed.encode()
    assert keys.open(sealed, AAD) == b'{"client_secret": "s3cr3t"}'


def test_each_seal_uses_a_fresh_nonce() -> None:
    keys = ring("k1")
    assert keys.seal(b"same", AAD) != keys.seal(b"same", AAD)


def test_tampered_ciphertext_is_rejected() -> None:
    keys = ring("k1")
    prefix, key_id, body = keys.seal(b"payload", AAD).split(".")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-1] ^= 0x01
    tampered = ".".join([prefix, key_id, base64.urlsafe_b64encode(bytes(raw)).decode()])
    with pytest.raises(SealedSecretError, match="authentication"):
        keys.open(tampered, AAD)


def test_wrong_associated_data_is_rejected() -> None:
    keys = ring("k1")
    sealed = keys.seal(b"payload", AAD)
    with pytest.raises(SealedSecretError):
        keys.open(sealed, AAD.replace("0001", "0002"))


@pytest.mark.parametrize("garbage", ["", "plain text", "fs1.k1.", "fs1..abc", "fs1.k1.!!!"])
def test_garbage_is_rejected(garbage: str) -> None:
    with pytest.raises(SealedSecretError):
        ring("k1").open(garbage, AAD)


def test_old_keys_open_until_removed() -> None:
    old_spec = f"k1:{generate_key()}"
    new_spec = f"k2:{generate_key()}"
    sealed_old = KeyRing.parse(old_spec).seal(b"legacy", AAD)

    rotated = KeyRing.parse(f"{new_spec},{old_spec}")
    assert rotated.primary_id == "k2"
    assert rotated.open(sealed_old, AAD) == b"legacy"
    assert rotated.needs_reseal(sealed_old)

    without_old = KeyRing.parse(new_spec)
    with pytest.raises(SealedSecretError, match="no key 'k1'"):
        without_old.open(sealed_old, AAD)


@pytest.mark.parametrize(
    "spec",
    ["", "k1", "k1:short", "bad id!:" + "A" * 43, f"k1:{'A' * 43},k1:{'B' * 43}", "k1:@@@@"],
)
def test_bad_key_specs_are_refused(spec: str) -> None:
    with pytest.raises(ConfigurationError):
        KeyRing.parse(spec)


def test_production_refuses_to_start_without_keys(tmp_path: object) -> None:
    settings = Settings(_env_file=None, env="production", data_dir=tmp_path)  # type: ignore[call-arg,arg-type]
    with pytest.raises(ConfigurationError, match="FAILSAFE_SECRET_KEYS"):
        load_keyring(settings)


def test_development_generates_a_private_demo_key(tmp_path: object) -> None:
    from pathlib import Path

    data_dir = Path(str(tmp_path))
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    first = load_keyring(settings)
    second = load_keyring(settings)
    key_file = data_dir / "secret-keys"
    assert key_file.stat().st_mode & 0o077 == 0
    sealed = first.seal(b"x", AAD)
    assert second.open(sealed, AAD) == b"x"
