"""The small SVG kit every chart is built from.

Charts are strings of SVG markup built here and nowhere else, so one place guarantees what the
portal's strict CSP and the PDF renderer both need: no script, no event handlers, no ``style``
attributes (presentation attributes only), no external references, and every piece of text
escaped and stripped of control characters before it lands in the markup.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

FONT_FAMILY = "DejaVu Sans, sans-serif"

# C0/C1 controls are invalid in XML 1.0 (NUL breaks parsers); bidi controls could reorder a
# label visually, so chart text drops them. Tables in the report show them visibly instead.
_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI_AND_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def clean_text(value: object, limit: int = 60) -> str:
    """``value`` as plain one-line text safe for an SVG label, at most ``limit`` characters."""
    text = unicodedata.normalize("NFC", str(value))
    text = _BIDI_AND_ZERO_WIDTH.sub("", _INVALID.sub("", text)).replace("\n", " ")
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + "\u2026"
    return text


def esc(value: object, limit: int = 60) -> str:
    """Cleaned and XML-escaped text for an element body or attribute value."""
    return str(escape(clean_text(value, limit)))


def num(value: float) -> str:
    """A coordinate with at most two decimals (keeps the markup small and stable)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def text(
    x: float,
    y: float,
    content: object,
    *,
    size: float = 11,
    anchor: str = "start",
    fill: str = "#1f2933",
    weight: str = "normal",
    limit: int = 60,
) -> str:
    """One ``<text>`` element with escaped content."""
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-family="{FONT_FAMILY}" font-size="{num(size)}"'
        f' text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">'
        f"{esc(content, limit)}</text>"
    )


def rect(x: float, y: float, width: float, height: float, fill: str, rx: float = 0) -> str:
    """One ``<rect>`` element."""
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(width, 0))}"'
        f' height="{num(max(height, 0))}" rx="{num(rx)}" fill="{fill}"/>'
    )


def document(width: float, height: float, label: str, body: str) -> Markup:
    """A standalone ``<svg>`` with an accessible name; safe to embed as-is in HTML."""
    title = esc(label, 200)
    # Every text and attribute value in ``body`` went through esc() or num(); the rest is
    # markup written in this package.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}"'
        f' width="{num(width)}" height="{num(height)}" role="img" aria-label="{title}">'
        f"<title>{title}</title>{body}</svg>"
    )
