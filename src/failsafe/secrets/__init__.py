"""Sealed secrets: tenant credentials encrypted in the application before they reach SQL."""

from failsafe.secrets.keyring import KeyRing, SealedSecretError

__all__ = ["KeyRing", "SealedSecretError"]
