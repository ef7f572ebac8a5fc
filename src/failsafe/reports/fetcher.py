"""The only way WeasyPrint may load anything: bundled assets by name, nothing else.

WeasyPrint fetches every ``url()``, ``<img src>``, ``<link href>`` and ``@font-face`` source
through its URL fetcher, and its default fetcher speaks http(s), ftp, file and data URLs: a
tenant-controlled app name that reached the HTML as markup could make the worker request an
internal address (SSRF) or read a local file into the PDF. The templates escape all tenant text,
and this fetcher is the second wall: it answers only ``failsafe-asset:<name>`` where ``<name>``
is a file of the bundled asset directory (fonts, stylesheet) or an in-memory blob the renderer
itself registered for this one render (the partner logo), and refuses everything else — every
other scheme, ``data:`` included, path traversal, unknown names — without any I/O.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import structlog
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = structlog.get_logger(__name__)

SCHEME = "failsafe-asset:"
# Names are short relative paths of plain segments: no "..", no absolute paths, no encoding.
_NAME = re.compile(r"^[a-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\.[a-z0-9]{2,5}$")
_TYPES = {
    "ttf": "font/ttf",
    "css": "text/css",
    "png": "image/png",
    "jpg": "image/jpeg",
    "svg": "image/svg+xml",
}


class AssetRefused(ValueError):
    """A URL the report may not load."""


def asset_url(name: str) -> str:
    """The URL templates use for a bundled asset, e.g. ``asset_url("fonts/DejaVuSans.ttf")``."""
    return SCHEME + name


def _asset_root() -> Traversable:
    return resources.files("failsafe.reports").joinpath("assets")


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher serving bundled assets and this render's blobs only.

    ``refused`` lists every URL it turned down (tests assert on it; never logged in full,
    since a URL may carry tenant text).
    """

    def __init__(self, blobs: dict[str, tuple[str, bytes]] | None = None) -> None:
        # allowed_protocols=() and no redirects: even a call that slipped past fetch() below
        # into urllib would be refused by the parent.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self._blobs = dict(blobs or {})
        self.refused: list[str] = []
        self.served: list[str] = []

    def register(self, name: str, media_type: str, data: bytes) -> str:
        """Make ``data`` loadable for this render as ``failsafe-asset:render/<name>``."""
        key = f"render/{name}"
        if not _NAME.match(key):
            raise AssetRefused("invalid blob name")
        self._blobs[key] = (media_type, data)
        return SCHEME + key

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve ``url`` if it names a bundled asset or a registered blob; refuse otherwise."""
        media_type, body = self._resolve(url)
        self.served.append(url)
        return URLFetcherResponse(url, body, {"Content-Type": media_type})

    def _resolve(self, url: str) -> tuple[str, bytes]:
        if not url.startswith(SCHEME):
            self._refuse(url, "scheme")
        name = url[len(SCHEME) :]
        if name in self._blobs:
            return self._blobs[name]
        if not _NAME.match(name) or name.startswith("render/"):
            self._refuse(url, "name")
        extension = name.rsplit(".", 1)[1]
        if extension not in _TYPES:
            self._refuse(url, "type")
        node = _asset_root()
        for part in name.split("/"):
            node = node.joinpath(part)
        if not node.is_file():
            self._refuse(url, "missing")
        return _TYPES[extension], node.read_bytes()

    def _refuse(self, url: str, why: str) -> None:
        self.refused.append(url)
        # The URL itself may hold tenant text: log only its scheme and the reason.
        scheme = url.split(":", 1)[0][:16] if ":" in url else ""
        log.warning("report.asset_refused", reason=why, scheme=scheme)
        raise AssetRefused(f"refused ({why})")
