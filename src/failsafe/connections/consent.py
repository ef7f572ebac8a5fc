"""Microsoft admin consent: the link an admin follows and the state that ties the callback back.

The ``state`` is ``<connection id>.<random token>``; only a hash of the token is stored on the
connection, so a leaked database row cannot complete someone else's consent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from urllib.parse import urlencode

from failsafe.errors import ValidationFailed

STATE_HASH_OPTION = "consent_state_sha256"


def new_state(connection_id: uuid.UUID) -> tuple[str, str]:
    """(state for the URL, hash to store on the connection)."""
    token = secrets.token_urlsafe(32)
    return f"{connection_id}.{token}", _digest(token)


def parse_state(state: str) -> tuple[uuid.UUID, str]:
    """(connection id, token) from a callback's state; ValidationFailed if malformed."""
    raw_id, sep, token = state.partition(".")
    try:
        connection_id = uuid.UUID(raw_id)
    except ValueError as exc:
        raise ValidationFailed("the consent state is not one FailSafe issued") from exc
    if not sep or not token:
        raise ValidationFailed("the consent state is not one FailSafe issued")
    return connection_id, token


def state_matches(token: str, stored_hash: object) -> bool:
    return isinstance(stored_hash, str) and hmac.compare_digest(_digest(token), stored_hash)


def consent_url(
    login_base_url: str, tenant: str, client_id: str, state: str, redirect_uri: str
) -> str:
    """The admin-consent link for the multi-tenant app registration."""
    query = urlencode({"client_id": client_id, "state": state, "redirect_uri": redirect_uri})
    return f"{login_base_url.rstrip('/')}/{tenant}/adminconsent?{query}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
