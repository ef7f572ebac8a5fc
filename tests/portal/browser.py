"""Playwright helpers: Debian's Chromium, console/CSP listeners, screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "artifacts" / "screenshots"


@dataclass
class Problems:
    """Every console error, page error and CSP violation seen by any page."""

    items: list[str] = field(default_factory=list)
    # Pages the test opens on purpose expecting a 404: their own load error is not a problem.
    expected_404: set[str] = field(default_factory=set)

    def watch(self, page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            url = message.location.get("url", "")
            if "status of 404" in message.text and url in self.expected_404:
                return
            if message.type == "error" or "Content Security Policy" in message.text:
                self.items.append(f"console: {message.text} at {url}")

        def on_error(error: Error) -> None:
            self.items.append(f"pageerror: {error.message}")

        page.on("console", on_console)
        page.on("pageerror", on_error)
        return page


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ (kept by CI)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
