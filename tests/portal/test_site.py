"""The static marketing site: builds to plain files under the strict CSP, no scripts, and a
security overview written afresh (no ten-word run copied from the seed text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from failsafe.cli.site import CSP, DEFAULT_SOURCE, build_site

SEED = Path("/work/shared/seed/security-overview.txt")
PAGES = ("index.html", "pricing.html", "security.html", "privacy.html", "contact.html")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(DEFAULT_SOURCE, out, portal_url="https://portal.example.test")
    return out


def test_every_page_is_built_with_the_meta_csp(built: Path) -> None:
    for name in PAGES:
        html = (built / name).read_text()
        expected = f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">'
        assert expected in html, name


def test_no_script_no_inline_style_no_third_party_assets(built: Path) -> None:
    for name in PAGES:
        html = (built / name).read_text()
        assert "<script" not in html and "<style" not in html and " style=" not in html, name
        for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
            assert url.startswith("https://portal.example.test/"), (name, url)


def test_headers_file_carries_the_policy(built: Path) -> None:
    headers = (built / "_headers").read_text()
    assert f"Content-Security-Policy: {CSP}; frame-ancestors 'none'" in headers
    assert "Strict-Transport-Security" in headers


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.mark.skipif(not SEED.exists(), reason="the seed text is not on this machine")
def test_security_page_is_not_copied_from_the_seed(built: Path) -> None:
    page = re.sub(r"<[^>]+>", " ", (built / "security.html").read_text())
    seed, ours = _words(SEED.read_text()), _words(page)
    runs = {tuple(seed[i : i + 10]) for i in range(len(seed) - 9)}
    copied = [
        " ".join(ours[i : i + 10]) for i in range(len(ours) - 9) if tuple(ours[i : i + 10]) in runs
    ]
    assert copied == []
