"""Tenant credentials: validated on upload, sealed before SQL, opened only inside a scan."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from google.auth import crypt

from failsafe.connectors.collect import Credentials
from failsafe.connectors.google.auth import GoogleCredentials
from failsafe.connectors.graph.auth import GraphCredentials
from failsafe.errors import ConfigurationError, ValidationFailed
from failsafe.inventory.model import Provider
from failsafe.secrets.keyring import KeyRing
from failsafe.secrets.registry import CONNECTION_CREDENTIALS
from failsafe.settings import Settings

MAX_KEY_FILE_BYTES = 20_000
_ADDRESS = re.compile(r"[a-z0-9._%+'-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+")


def seal(keyring: KeyRing, connection_id: uuid.UUID, payload: dict[str, Any]) -> str:
    """Seal a credentials document for the connection row ``connection_id``."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return keyring.seal(raw, CONNECTION_CREDENTIALS.associated_data(connection_id))


def open_sealed(
    keyring: KeyRing, connection_id: uuid.UUID, sealed: str, settings: Settings
) -> Credentials:
    """Open a connection's sealed credentials into connector credentials."""
    raw = keyring.open(sealed, CONNECTION_CREDENTIALS.associated_data(connection_id))
    return from_document(json.loads(raw), settings)


def from_document(document: dict[str, Any], settings: Settings) -> Credentials:
    """Connector credentials from a credentials document (sealed or a CLI file)."""
    if document.get("provider") == "google":
        return GoogleCredentials(
            info=validate_service_account(document["service_account"]),
            admin_email=validate_admin_email(str(document["admin_email"])),
        )
    secret = document.get("client_secret")
    if secret is None:
        if settings.microsoft_client_secret is None:
            raise ConfigurationError("FAILSAFE_MICROSOFT_CLIENT_SECRET is not set")
        secret = settings.microsoft_client_secret.get_secret_value()
    return GraphCredentials(
        tenant_id=str(document["tenant_id"]),
        client_id=str(document.get("client_id") or settings.microsoft_client_id),
        client_secret=str(secret),
    )


def load_file(path: Path, provider: Provider, settings: Settings) -> Credentials:
    """Credentials for ``failsafe scan --credentials FILE``.

    Microsoft: ``{"tenant_id", "client_id"?, "client_secret"?}``. Google: a service-account key
    file with an extra ``"admin_email"`` member, or ``{"service_account": {...},
    "admin_email"}``.
    """
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValidationFailed(f"cannot read credentials file {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise ValidationFailed("the credentials file must hold a JSON object")
    if provider == "google":
        account = document.get("service_account", document)
        document = {
            "provider": "google",
            "service_account": account,
            "admin_email": document.get("admin_email", ""),
        }
    elif "tenant_id" not in document:
        raise ValidationFailed("a Microsoft credentials file needs tenant_id")
    try:
        return from_document(document, settings)
    except KeyError as exc:
        raise ValidationFailed(f"the credentials file lacks {exc}") from exc


def parse_service_account(data: bytes | str) -> dict[str, Any]:
    """Parse and strictly validate an uploaded service-account key file."""
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ValidationFailed("the service-account file is larger than a key file can be")
    try:
        info = json.loads(data)
    except ValueError as exc:
        raise ValidationFailed("the service-account file is not valid JSON") from exc
    return validate_service_account(info)


def validate_service_account(info: Any) -> dict[str, Any]:
    """Check type, client_email, client_id and that the private key parses."""
    if not isinstance(info, dict):
        raise ValidationFailed("the service-account file must be a JSON object")
    if info.get("type") != "service_account":
        raise ValidationFailed('the key file\'s "type" must be "service_account"')
    email = info.get("client_email")
    if not isinstance(email, str) or "@" not in email:
        raise ValidationFailed("the key file has no valid client_email")
    if not str(info.get("client_id") or "").isdigit():
        raise ValidationFailed("the key file has no numeric client_id (needed for delegation)")
    key = info.get("private_key")
    if not isinstance(key, str) or "PRIVATE KEY" not in key:
        raise ValidationFailed("the key file has no private_key")
    try:
        crypt.RSASigner.from_string(key, info.get("private_key_id"))  # type: ignore[no-untyped-call]
    except (ValueError, TypeError, IndexError) as exc:
        raise ValidationFailed("the key file's private_key does not parse as an RSA key") from exc
    return {k: info[k] for k in sorted(info)}


def validate_admin_email(address: str) -> str:
    """The delegated admin's address, normalised to lower case."""
    normalised = address.strip().lower()
    if not _ADDRESS.fullmatch(normalised):
        raise ValidationFailed("the admin email is not a valid address")
    return normalised
