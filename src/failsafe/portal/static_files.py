"""Serving the portal's own static files (CSS, htmx, the one small script).

A fixed allow-list read once at import: no path from the request ever reaches the filesystem.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import Response

from failsafe.errors import NotFound

_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
_FOLDER = files("failsafe.portal") / "static"
STATIC: dict[str, tuple[bytes, str]] = {
    entry.name: (entry.read_bytes(), _TYPES[suffix])
    for entry in _FOLDER.iterdir()
    if (suffix := "." + entry.name.rsplit(".", 1)[-1]) in _TYPES
}

router = APIRouter(include_in_schema=False)


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """One of the bundled files; cached for a day (names change with the package version)."""
    found = STATIC.get(name)
    if found is None:
        raise NotFound("no such file")
    body, media_type = found
    return Response(body, media_type=media_type, headers={"cache-control": "public, max-age=86400"})
