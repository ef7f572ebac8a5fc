"""The built marketing site in headless Chromium: every page loads without a CSP violation
or console error, on a laptop and a phone viewport."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from failsafe.cli.site import DEFAULT_SOURCE, build_site
from tests.portal.browser import Problems, chromium, shot
from tests.portal.live import free_port

pytestmark = pytest.mark.browser
PAGES = ("index.html", "pricing.html", "security.html", "privacy.html", "contact.html")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def test_site_pages_load_cleanly(tmp_path: Path) -> None:
    build_site(DEFAULT_SOURCE, tmp_path, portal_url="http://127.0.0.1:9/")
    port = free_port()
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    problems = Problems()
    try:
        with chromium() as browser:
            for width, label in ((1280, "laptop"), (390, "phone")):
                page = problems.watch(browser.new_page(viewport={"width": width, "height": 900}))
                for name in PAGES:
                    response = page.goto(f"http://127.0.0.1:{port}/{name}")
                    assert response is not None and response.status == 200
                    shot(page, f"site-{label}-{name.removesuffix('.html')}")
                page.close()
    finally:
        server.shutdown()
        server.server_close()
    assert problems.items == [], problems.items
