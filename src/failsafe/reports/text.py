"""Tenant text made safe to print: escaped, visible, isolated, bounded.

Tenant-controlled strings (app, vendor, user, tenant names, evidence values) may hold markup,
CSS, URLs, right-to-left overrides, zero-width characters and unbroken strings thousands of
characters long. In the report they are always plain text:

- escaped by Jinja's autoescape (these filters return Markup only after escaping themselves);
- bidi controls and invisible characters are replaced with a visible ``[U+202E]`` token, so a
  name cannot reorder or hide part of itself (a spoofing trick) and reviewers see it was there;
- isolated from its neighbours, so right-to-left text cannot reorder them. WeasyPrint ignores
  ``unicode-bidi`` but resolves bidi per text node, so a value alone in its element (a table
  cell, or the ``tv`` span of :func:`short`) is isolated already; inside
  composed text (:func:`evidence_summary`) a value with right-to-left letters is wrapped in
  the Unicode isolates FSI/PDI (:func:`isolate`), which Pango honours at no layout cost;
- given explicit break points (``<wbr>``) in long unbroken runs, so a long string wraps
  cheaply and cannot push a table off the page;
- truncated with an ellipsis in tables (:func:`short`, :func:`cell`); the appendix keeps a
  finding's title and subject whole up to :data:`FULL_LIMIT` characters and summarises its
  evidence (:func:`evidence_summary`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from markupsafe import Markup, escape

TABLE_LIMIT = 80
# Limitation: values longer than this are cut even in the appendix (a 1 MB string would
# make a hundred pages); storing the full value as a PDF attachment would fix it.
FULL_LIMIT = 20_000
LIST_LIMIT = 200
BREAK_EVERY = 40
CELL_BREAK_EVERY = 10
# Evidence in the appendix: at most this many characters per finding, values cut to
# EVIDENCE_VALUE characters, lists and mappings named up to EVIDENCE_ITEMS entries.
EVIDENCE_LIMIT = 200
EVIDENCE_VALUE = 60
EVIDENCE_ITEMS = 3
SEPARATOR = " \u00b7 "
FSI, PDI = "\u2068", "\u2069"

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates, marks, zero-width and other invisible format characters.
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
# Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, ... and their
# presentation forms): text holding one needs isolating from what surrounds it.
_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


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


def isolate(text: str) -> str:
    """``text`` between first-strong isolates when it holds right-to-left letters.

    Inside composed text (a key, a value, a separator, another value) an Arabic or Hebrew value
    would otherwise pull the neighbouring digits and punctuation into its own direction. The
    isolates are invisible and left out of extracted text; left-to-right text is unchanged.
    """
    return f"{FSI}{text}{PDI}" if _RTL.search(text) else text


def breakable(text: str) -> Markup:
    """Text that is already plain (e.g. :func:`evidence_summary`): escaped, with break points."""
    return _breakable(clip(text, FULL_LIMIT))


def cell(value: object, limit: int = FULL_LIMIT) -> Markup:
    """Tenant text for the appendix: escaped, breakable, isolated, cut to ``limit``.

    No wrapper element (the appendix has thousands of these, and each element costs layout
    time): a value alone in its element is isolated already, and one sharing a line with
    other text (a finding's reference, title and subject) gets FSI/PDI via :func:`isolate`.
    """
    return _breakable(isolate(clip(plain(value), limit)), BREAK_EVERY)


def short(value: object, limit: int = TABLE_LIMIT) -> Markup:
    """Tenant text for a table cell: isolated, wrapped, cut to ``limit`` characters."""
    # Table columns can be narrow: break points every few characters.
    return _wrap(clip(plain(value), limit), "tv", CELL_BREAK_EVERY)


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


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:,.2f}"


def _brief(value: object, depth: int = 0) -> str:
    """An evidence value in a few words: scalars cut, lists and mappings named up to a few."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Mapping | list | tuple | set | frozenset) and depth >= 1:
        return f"({len(value)})"  # nested deeper than one level: only its size
    if isinstance(value, Mapping):
        items: list[str] = [
            f"{isolate(clip(plain(k), EVIDENCE_VALUE))} {_brief(v, depth + 1)}"
            for k, v in list(value.items())[:EVIDENCE_ITEMS]
        ]
        return _named(items, len(value))
    if isinstance(value, list | tuple | set | frozenset):
        entries = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return _named([_brief(v, depth + 1) for v in entries[:EVIDENCE_ITEMS]], len(entries))
    return isolate(clip(plain(value), EVIDENCE_VALUE))


def _named(items: list[str], total: int) -> str:
    if not total:
        return "none"
    more = total - len(items)
    return ", ".join(items) + (f" and {more} more" if more > 0 else "")


def evidence_summary(
    evidence: Mapping[str, object],
    *,
    lead: Iterable[str] = (),
    skip: object = None,
    limit: int = EVIDENCE_LIMIT,
) -> str:
    """A finding's evidence as one short line of plain text for the appendix.

    ``users: ada@x.test, bo@x.test, cy@x.test and 9 more · user count: 12 · all users: no``:
    underscores in keys read as spaces, each list or mapping names its first
    :data:`EVIDENCE_ITEMS` entries and counts the rest, each value is cut to
    :data:`EVIDENCE_VALUE` characters, and whole entries stop at ``limit`` characters with
    "and N more field(s)". ``lead`` entries (already formatted) come first; empty values and
    values equal to ``skip`` (the finding's subject, printed beside it) are left out. The complete
    evidence stays in the portal and the findings API.
    """
    parts = list(lead)
    entries = [
        (k, v)
        for k, v in evidence.items()
        if v not in (None, "", [], (), {}) and (skip is None or v != skip)
    ]
    used = sum(len(p) for p in parts)
    for index, (key, value) in enumerate(entries):
        name = isolate(clip(plain(key).replace("_", " "), EVIDENCE_VALUE))
        part = f"{name}: {_brief(value)}"
        if parts and used + len(part) > limit:
            left = len(entries) - index
            parts.append(f"and {left} more field{'s' if left > 1 else ''}")
            break
        parts.append(part)
        used += len(part) + len(SEPARATOR)
    return SEPARATOR.join(parts)


def money(amount: float, currency: str = "USD") -> str:
    """``1234.5`` as ``USD 1,234.50``."""
    return f"{plain(currency)[:3]} {amount:,.2f}"
