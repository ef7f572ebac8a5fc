"""Where the key ring comes from: the setting, or (outside production) a local demo key file."""

from __future__ import annotations

import os
from pathlib import Path

import structlog

from failsafe.errors import ConfigurationError
from failsafe.secrets.keyring import KeyRing, generate_key
from failsafe.settings import Settings

log = structlog.get_logger(__name__)

DEMO_KEY_FILE = "secret-keys"


def load_keyring(settings: Settings) -> KeyRing:
    """The process key ring; production refuses to start without configured keys."""
    if settings.secret_keys is not None:
        return KeyRing.parse(settings.secret_keys.get_secret_value())
    if settings.is_production:
        raise ConfigurationError("FAILSAFE_SECRET_KEYS must be set in production")
    return KeyRing.parse(_demo_key_spec(settings.data_dir / DEMO_KEY_FILE))


def _demo_key_spec(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"demo1:{generate_key()}\n")
        log.warning(
            "secrets.demo_key_generated",
            path=str(path),
            advice="for development only; set FAILSAFE_SECRET_KEYS in production",
        )
    return path.read_text().strip()
