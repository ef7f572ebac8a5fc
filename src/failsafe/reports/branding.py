"""Partner branding: validating a logo before it may appear on a cover.

A logo is partner-supplied bytes, so only raster formats the renderer decodes itself are
accepted (PNG and JPEG, by magic bytes, at most :data:`MAX_LOGO_BYTES`). SVG is refused: it is
a document that can reference other resources, and the cover does not need it.
"""

from __future__ import annotations

from failsafe.errors import ValidationFailed
from failsafe.reports.view import Logo

MAX_LOGO_BYTES = 512 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


def logo(data: bytes) -> Logo:
    """A :class:`Logo` for ``data``; raises ValidationFailed for anything but PNG or JPEG."""
    if not data or len(data) > MAX_LOGO_BYTES:
        raise ValidationFailed(f"a logo is 1 byte to {MAX_LOGO_BYTES // 1024} KiB")
    if data.startswith(_PNG):
        return Logo("image/png", data)
    if data.startswith(_JPEG):
        return Logo("image/jpeg", data)
    raise ValidationFailed("a logo must be a PNG or JPEG image")
