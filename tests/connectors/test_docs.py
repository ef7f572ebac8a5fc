from __future__ import annotations

from pathlib import Path

from failsafe.connections.manifest import GOOGLE_SCOPE_PREFIX, for_provider

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_setup_guides_name_every_manifest_entry() -> None:
    microsoft = (DOCS / "connect-microsoft.md").read_text()
    google = (DOCS / "connect-google.md").read_text()
    for permission in for_provider("microsoft"):
        assert f"`{permission.name}`" in microsoft
    for permission in for_provider("google"):
        assert f"`{permission.name.removeprefix(GOOGLE_SCOPE_PREFIX)}`" in google
    assert "no read-only variant" in google.lower()
