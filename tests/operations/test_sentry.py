"""Sentry events leave the process without tenant data."""

from __future__ import annotations

from typing import Any

import sentry_sdk

from failsafe.operations.sentry import init_sentry, scrub_event
from failsafe.settings import Settings


def test_scrub_removes_bodies_cookies_headers_and_emails() -> None:
    event: dict[str, Any] = {
        "request": {
            "url": "https://portal.test/api/v1/engagements?email=a@b.test",
            "method": "POST",
            "data": {"password": "hunter2"},
            "cookies": {"__Host-session": "secret"},
            "headers": {"Authorization": "Bearer fs_x"},
            "query_string": "email=a@b.test",
        },
        "user": {"id": "u-1", "email": "a@b.test", "ip_address": "203.0.113.9"},
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT 'a@b.test'"}]},
        "exception": {
            "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"token": "t"}}]}}]
        },
        "extra": {"tenant": "acme"},
    }
    scrubbed = scrub_event(event)
    text = repr(scrubbed)
    for secret in ("hunter2", "secret", "fs_x", "a@b.test", "203.0.113.9", "acme", "'t'"):
        assert secret not in text
    assert scrubbed["request"]["url"] == "https://portal.test/api/v1/engagements"
    assert scrubbed["user"] == {"id": "u-1"}


def test_init_only_with_a_dsn_and_without_pii() -> None:
    assert init_sentry(Settings(_env_file=None)) is False  # type: ignore[call-arg]
    settings = Settings(_env_file=None, sentry_dsn="https://key@127.0.0.1:9/1")  # type: ignore[call-arg]
    try:
        assert init_sentry(settings) is True
        client = sentry_sdk.get_client()
        assert client.should_send_default_pii() is False
        assert client.options["before_send"] is scrub_event
    finally:
        sentry_sdk.get_client().close(timeout=0)
        sentry_sdk.init()  # back to a disabled client
