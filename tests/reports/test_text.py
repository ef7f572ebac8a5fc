from __future__ import annotations

from failsafe.reports import text


def test_bidi_and_zero_width_characters_are_shown() -> None:
    assert text.plain("evil\u202efdp.exe") == "evil[U+202E]fdp.exe"
    assert text.plain("pay\u200bpal\ufeff") == "pay[U+200B]pal[U+FEFF]"
    assert text.plain("a\u2066b\u2069") == "a[U+2066]b[U+2069]"


def test_controls_and_newlines_are_removed() -> None:
    assert text.plain("a\x00b\x1bc\nd\te") == "abc d e"


def test_short_escapes_and_truncates_with_ellipsis() -> None:
    value = str(text.short("<b>" + "x" * 200, 20))
    assert "&lt;b&gt;" in value and "<b>" not in value.replace('<span class="tv"', "")
    assert value.count("x") == 16 and "\u2026" in value


def test_full_keeps_long_values() -> None:
    value = str(text.full("y" * 10_000))
    assert value.count("y") == 10_000


def test_evidence_values_flatten_and_cap_lists() -> None:
    assert text.evidence_value(["a", 2, True]) == "a, 2, yes"
    assert text.evidence_value({"k": ["v"]}) == "k: v"
    long_list = text.evidence_value(list(range(250)))
    assert long_list.endswith("and 50 more")


def test_money() -> None:
    assert text.money(1234.5) == "USD 1,234.50"
