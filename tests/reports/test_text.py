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


def test_cell_keeps_long_values_up_to_the_limit() -> None:
    assert str(text.cell("y" * 10_000)).count("y") == 10_000
    assert str(text.cell("y" * 30_000)).count("y") == text.FULL_LIMIT - 1


def test_evidence_values_flatten_and_cap_lists() -> None:
    assert text.evidence_value(["a", 2, True]) == "a, 2, yes"
    assert text.evidence_value({"k": ["v"]}) == "k: v"
    long_list = text.evidence_value(list(range(250)))
    assert long_list.endswith("and 50 more")


def test_money() -> None:
    assert text.money(1234.5) == "USD 1,234.50"


SHALOM = "\u05e9\u05dc\u05d5\u05dd"  # Hebrew
SHARIKA = "\u0634\u0631\u0643\u0629"  # Arabic
FSI, PDI = "\u2068", "\u2069"


def test_isolate_wraps_only_right_to_left_text() -> None:
    assert text.isolate("ada@x.test") == "ada@x.test"
    assert text.isolate(SHALOM) == f"{FSI}{SHALOM}{PDI}"
    assert text.isolate(f"{SHARIKA} 2") == f"{FSI}{SHARIKA} 2{PDI}"


def test_cell_escapes_breaks_and_isolates_without_a_wrapper() -> None:
    value = str(text.cell("<b>" + "x" * 100))
    assert value.startswith("&lt;b&gt;") and "<span" not in value
    assert value.count("<wbr>") == 2  # a break point every 40 characters of the run
    assert str(text.cell("x" * 50, 10)) == "x" * 9 + "\u2026"
    assert str(text.cell(f"evil\u202e{SHALOM}")) == f"{FSI}evil[U+202E]{SHALOM}{PDI}"


def test_breakable_does_not_touch_isolates() -> None:
    summary = text.evidence_summary({"name": SHALOM})
    assert str(text.breakable(summary)) == f"name: {FSI}{SHALOM}{PDI}"


def test_evidence_summary_names_a_few_and_counts_the_rest() -> None:
    evidence = {
        "users": [f"user{i}@x.test" for i in range(12)],
        "user_count": 12,
        "all_users": False,
        "unit_price": 36.0,
        "mail_kinds": {"billing": 2, "signup": 1},
        "apps": [],
        "publisher": None,
    }
    assert text.evidence_summary(evidence) == (
        "users: user0@x.test, user1@x.test, user2@x.test and 9 more · user count: 12"
        " · all users: no · unit price: 36 · mail kinds: billing 2, signup 1"
    )


def test_evidence_summary_skips_the_subject_and_adds_lead_entries() -> None:
    evidence = {"user": "ada@x.test", "roles": ["Global Administrator"]}
    summary = text.evidence_summary(evidence, lead=["Monthly cost: USD 3.00"], skip="ada@x.test")
    assert summary == "Monthly cost: USD 3.00 · roles: Global Administrator"


def test_evidence_summary_is_bounded() -> None:
    evidence = {f"key_{i}": "v" * 500 for i in range(50)}
    evidence["nested"] = [{"deep": list(range(1000))}] * 1000  # type: ignore[assignment]
    summary = text.evidence_summary(evidence)
    assert len(summary) <= text.EVIDENCE_LIMIT + text.EVIDENCE_VALUE + 40
    assert summary.startswith("key 0: " + "v" * (text.EVIDENCE_VALUE - 1) + "\u2026")
    assert summary.endswith("and 49 more fields")
    assert text.evidence_summary({"nested": [{"deep": [1, 2]}, {}]}) == "nested: (1), (0)"


def test_evidence_summary_keeps_hostile_keys_and_values_plain() -> None:
    summary = text.evidence_summary({"<b>k\u202e": ["<img src=x>", "a\u200bb"]})
    assert summary == "<b>k[U+202E]: <img src=x>, a[U+200B]b"  # escaped later by breakable()
    assert "&lt;img" in str(text.breakable(summary))
