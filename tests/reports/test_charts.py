from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from failsafe.charts import family_breakdown, score_gauge, severity_bars, trend_line
from failsafe.detections.model import Family, Severity

HOSTILE = '<script>alert(1)</script>" onload="x" style="url(http://127.0.0.1/)\u202e\u200b'


def _charts() -> list[str]:
    return [
        score_gauge(73),
        score_gauge(None),
        score_gauge(140, label=HOSTILE),
        severity_bars({Severity.CRITICAL: 3, Severity.LOW: 9}, label=HOSTILE),
        family_breakdown({Family.IDENTITY: {Severity.HIGH: 2}, Family.LICENSES: {}}),
        trend_line([(HOSTILE, 40), ("b", 60), ("c", 80)]),
        trend_line([("only", 50)]),
    ]


@pytest.mark.parametrize("svg", _charts())
def test_chart_is_well_formed_svg_without_active_content(svg: str) -> None:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    for element in root.iter():
        assert not element.tag.endswith(("script", "foreignObject", "image", "use", "a"))
        for name in element.attrib:
            assert not name.startswith("on") and name != "style" and "href" not in name
    assert "<script" not in svg
    # Tenant text may mention a URL, but only as escaped text, never in an attribute.
    for element in root.iter():
        for name, value in element.attrib.items():
            assert "url(" not in value or name == "aria-label"


def test_hostile_label_is_escaped_and_invisible_characters_dropped() -> None:
    svg = severity_bars({}, label=HOSTILE)
    assert "&lt;script&gt;" in svg
    assert "\u202e" not in svg and "\u200b" not in svg


def test_gauge_clamps_and_shows_score() -> None:
    assert ">100<" in score_gauge(140)
    assert ">0<" in score_gauge(-5)
    assert "n/a" in score_gauge(None)


def test_severity_bars_show_every_count() -> None:
    svg = severity_bars({Severity.CRITICAL: 3, Severity.HIGH: 0, Severity.LOW: 12})
    labels = re.findall(r">(\d+)</text>", svg)
    assert labels == ["3", "0", "0", "12"]


def test_family_breakdown_lists_every_family_with_totals() -> None:
    svg = family_breakdown({Family.SHADOW_IT: {Severity.HIGH: 2, Severity.LOW: 5}})
    assert "Shadow IT 7" in svg and "Licences 0" in svg


def test_trend_keeps_the_newest_points() -> None:
    points = [(f"s{i}", i) for i in range(20)]
    svg = trend_line(points)
    assert "s19" in svg and "s7" not in svg
