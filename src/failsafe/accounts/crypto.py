"""Random tokens and their digests: every token is shown once and stored only as SHA-256.

The tokens carry 256 random bits, so a fast hash is enough: nobody can guess one, and a stolen
table of digests gives nothing to replay.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    """A URL-safe random token with ``nbytes`` of entropy, optionally prefixed."""
    return prefix + secrets.token_urlsafe(nbytes)


def digest(raw: str) -> bytes:
    """The SHA-256 stored in place of a token."""
    return hashlib.sha256(raw.encode()).digest()


def derive(raw: str, purpose: str) -> str:
    """A value bound to ``raw`` for one purpose (e.g. the CSRF token of a session cookie)."""
    mac = hmac.new(raw.encode(), purpose.encode(), hashlib.sha256)
    return mac.hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(a.encode(), b.encode())


def bucket_key(value: str) -> str:
    """A short, non-reversible name for an email or IP in a rate-limit bucket."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
