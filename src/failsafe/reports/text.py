"""Tenant text made safe to print: escaped, visible, isolated, bounded.

Tenant-controlled strings (app, vendor, user, tenant names, evidence values) may hold markup,
CSS, URLs, right-to-left overrides, zero-width characters and unbroken strings thousands of
characters long. In the report they are always plain text:

- escaped by Jinja's autoescape (these filters return Markup only after escaping themselves);
- bidi controls and invisible characters are replaced with a visible ``[U+202E]`` token, so a
  name cannot reorder or hide part of itself (a spoofing trick) and reviewers see it was there;
- wrapped in an element the stylesheet isolates (``unicode-bidi: isolate``) and lets break
  anywhere (``overflow-wrap: anywhere``), so right-to-left text cannot reorder its neighbours
  and a long string cannot push a table off the page;
- truncated with an ellipsis in tables (:func:`short`); the appendix keeps the full value
  (:func:`full`), up to :data:`FULL_LIMIT` characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

TABLE_LIMIT = 80
# Limitation: values longer than this are cut even in the appendix (a 1 MB string would
# make a hundred pages); storing the full value as a PDF attachment would fix it.
FULL_LIMIT = 20_000
LIST_LIMIT = 200
BREAK_EVERY = 40
CELL_BREAK_EVERY = 10

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates, marks, zero-width and other invisible format characters.
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def _visible(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group(0)):04X}]"


def plain(value: object) -> str:
    """``value`` as one line of visible text (no controls, invisible characters shown)."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    text = _CONTROLS.sub("", text)
    return _INVISIBLE.sub(_visible, text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "\u2026"


def _breakable(text: str, every: int = BREAK_EVERY) -> Markup:
    """Escaped ``text`` with a ``<wbr>`` every ``every`` characters of an unbroken run.

    ``overflow-wrap: anywhere`` alone would also wrap it, but WeasyPrint finds those breaks by
    trial and error: a 10,000-character name costs about a second. Explicit break points make
    it linear and cheap.
    """
    parts: list[Markup] = []
    position = 0
    for match in re.finditer(rf"\S{{{every + 1},}}", text):
        parts.append(escape(text[position : match.start()]))
        run = match.group(0)
        chunks = [escape(run[i : i + every]) for i in range(0, len(run), every)]
        parts.append(Markup("<wbr>").join(chunks))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def _wrap(text: str, css_class: str, every: int) -> Markup:
    # The content is escaped by _breakable(); the wrapper is our own markup.
    return Markup('<span class="{}" dir="auto">{}</span>').format(
        css_class, _breakable(text, every)
    )


def short(value: object, limit: int = TABLE_LIMIT) -> Markup:
    """Tenant text for a table cell: isolated, wrapped, cut to ``limit`` characters."""
    # Table columns can be narrow: break points every few characters.
    return _wrap(clip(plain(value), limit), "tv", CELL_BREAK_EVERY)


def full(value: object) -> Markup:
    """Tenant text for the appendix: isolated and wrapped, kept whole up to FULL_LIMIT."""
    return _wrap(clip(plain(value), FULL_LIMIT), "tv tv-full", BREAK_EVERY)


def evidence_value(value: object) -> str:
    """An evidence value (scalar, list or mapping) as one line of text."""
    if isinstance(value, Mapping):
        return "; ".join(f"{plain(k)}: {evidence_value(v)}" for k, v in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items = [evidence_value(v) for v in list(value)[:LIST_LIMIT]]
        if len(value) > LIST_LIMIT:
            items.append(f"\u2026 and {len(value) - LIST_LIMIT} more")
        return ", ".join(items)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return plain(value)


def money(amount: float, currency: str = "USD") -> str:
    """``1234.5`` as ``USD 1,234.50``."""
    return f"{plain(currency)[:3]} {amount:,.2f}"
