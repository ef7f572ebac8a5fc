"""The apps page's risk lookup: a row's host, then its parent domains down to the registrable
domain (never a public suffix), then the row's key itself."""

from __future__ import annotations

from failsafe.detections.model import Severity
from failsafe.portal.findings_query import Risk, risk_of

HIGH = Risk(Severity.HIGH, "a" * 64)
LOW = Risk(Severity.LOW, "b" * 64)


def test_host_then_parent_domains() -> None:
    risks = {"notion.so": HIGH, "api.notion.so": LOW}
    assert risk_of("api.notion.so", risks) is LOW
    assert risk_of("eu.api.notion.so", risks) is LOW
    assert risk_of("mail.notion.so", risks) is HIGH
    assert risk_of("Mail.Notion.so", risks) is HIGH


def test_public_suffixes_are_never_candidates() -> None:
    risks = {"co.uk": HIGH, "uk": HIGH, "so": HIGH}
    assert risk_of("shop.example.co.uk", risks) is None
    assert risk_of("notion.so", risks) is None


def test_a_key_that_is_not_a_host_is_looked_up_as_it_is() -> None:
    assert risk_of("slack", {"slack": LOW}) is LOW
    assert risk_of("slack", {"notion.so": LOW}) is None
