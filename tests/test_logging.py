"""Log lines never carry secrets."""

from __future__ import annotations

from failsafe.logging import REDACTED, redact_mapping, redact_secrets


def test_secret_named_fields_are_masked() -> None:
    clean = redact_mapping(
        {"client_secret": "abc", "password": "hunter2", "api_key": "k", "session_token": "t"}
    )
    assert set(clean.values()) == {REDACTED}


def test_ids_and_counts_named_like_secrets_are_kept() -> None:
    clean = redact_mapping({"key_id": "k2026", "token_count": 3, "scan_id": "s1"})
    assert clean == {"key_id": "k2026", "token_count": 3, "scan_id": "s1"}


def test_bearer_tokens_and_url_passwords_inside_values_are_scrubbed() -> None:
    clean = redact_mapping(
        {
            "header": "Bearer eyJhbGciOi.payload.sig",
            "url": "postgresql://failsafe_app:s3cret@db.internal:5432/failsafe",
            "nested": {"items": ["Bearer abc.def"]},
        }
    )
    assert "eyJ" not in clean["header"]
    assert "s3cret" not in clean["url"] and "failsafe_app" in clean["url"]
    assert clean["nested"] == {"items": [f"Bearer {REDACTED}"]}


def test_processor_keeps_the_event_name() -> None:
    event = redact_secrets(None, "info", {"event": "scan.started", "password": "x"})
    assert event == {"event": "scan.started", "password": REDACTED}
