"""Every setting FailSafe reads, with its default.

Settings come from the environment (``FAILSAFE_*``, plus ``DATABASE_URL``) or a ``.env`` file.
Every outside service is reached through a base URL setting so tests and the demo can point it
at loopback.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("failsafe", appauthor=False))


class Settings(BaseSettings):
    """Process-wide configuration, validated once at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="FAILSAFE_", env_file=".env", extra="ignore", frozen=True
    )

    # Runtime
    env: Literal["development", "production"] = "development"
    data_dir: Path = Field(default_factory=_default_data_dir)
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    public_base_url: str = "http://127.0.0.1:8000"

    # Database. DATABASE_URL is the bootstrap/owner connection used by migrations; the web and
    # worker connect as the app role, through app_database_url or a URL derived from it.
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "FAILSAFE_DATABASE_URL")
    )
    app_database_url: SecretStr | None = None
    app_db_password: SecretStr | None = None
    db_pool_size: int = Field(default=10, ge=1, le=200)

    # Sealed secrets: "kid:base64key[,kid:base64key...]"; the first key seals, every key opens.
    secret_keys: SecretStr | None = None

    # Web
    access_log: bool = True  # uvicorn's line per request; off when a proxy in front logs them
    session_idle_minutes: int = Field(default=60, ge=5)
    session_absolute_hours: int = Field(default=12, ge=1)
    max_request_bytes: int = Field(default=2_000_000, ge=1024)
    # Argon2id cost (RFC 9106 second recommendation); raising it rehashes at the next sign-in.
    password_hash_time_cost: int = Field(default=3, ge=1, le=20)
    password_hash_memory_kib: int = Field(default=65_536, ge=1024)

    # Microsoft: FailSafe's multi-tenant app registration and the endpoints it calls.
    microsoft_client_id: str = "00000000-0000-0000-0000-000000000000"
    microsoft_client_secret: SecretStr | None = None
    microsoft_login_base_url: str = "https://login.microsoftonline.com"
    graph_base_url: str = "https://graph.microsoft.com/v1.0"

    # Google Workspace endpoints.
    google_token_uri: str = "https://oauth2.googleapis.com/token"
    google_admin_base_url: str = "https://admin.googleapis.com"
    google_licensing_base_url: str = "https://licensing.googleapis.com"
    google_gmail_base_url: str = "https://gmail.googleapis.com"
    google_batch_url: str = "https://gmail.googleapis.com/batch"

    # Collection
    scan_concurrency: int = Field(default=8, ge=1, le=64)
    scan_mail_lookback_days: int = Field(default=90, ge=1, le=365)
    http_timeout_seconds: float = Field(default=30.0, gt=0)
    http_max_retries: int = Field(default=6, ge=0, le=20)

    # AI enrichment (off unless a key is set).
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str = "https://api.anthropic.com"
    anthropic_model: str = "claude-sonnet-4-5"
    # A scan waits at most this long for all its answers, and asks about at most this many
    # vendors the cache lacks; the rest stay unclassified until a later scan.
    anthropic_budget_seconds: float = Field(default=60.0, gt=0)
    anthropic_max_requests: int = Field(default=50, ge=0, le=1000)
    # Cached vendor labels older than this are asked again by the next scan that meets them.
    enrichment_max_age_days: int = Field(default=180, ge=1, le=3650)

    # Email
    email_backend: Literal["console", "file", "smtp", "postmark", "sendgrid"] = "console"
    email_from: str = "FailSafe <no-reply@failsafe.invalid>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    postmark_base_url: str = "https://api.postmarkapp.com"
    postmark_token: SecretStr | None = None
    sendgrid_base_url: str = "https://api.sendgrid.com"
    sendgrid_api_key: SecretStr | None = None

    # Billing
    stripe_api_base: str = "https://api.stripe.com"
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_price_direct_monthly: str = "price_failsafe_direct_monthly"
    stripe_price_direct_annual: str = "price_failsafe_direct_annual"
    stripe_price_partner_monthly: str = "price_failsafe_partner_per_client"

    # Error reporting
    sentry_dsn: SecretStr | None = None

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def storage_dir(self) -> Path:
        """Where report files live (a volume in production)."""
        return self.data_dir / "storage"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
