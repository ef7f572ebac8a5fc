"""Findings per family as stacked bars split by severity, with a legend."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from failsafe.charts import svg
from failsafe.charts.palette import FAMILY_LABELS, SEVERITY_COLOURS, SEVERITY_LABELS, TRACK
from failsafe.detections.model import Family, Severity

_WIDTH = 460.0
_ROW = 28.0
_LABEL = 118.0
_VALUE = 42.0
_LEGEND = 26.0


def family_breakdown(counts: Mapping[Family, Mapping[Severity, int]]) -> Markup:
    """One stacked bar per family (every family shown, even at zero)."""
    totals = {f: sum(max(0, int(n)) for n in counts.get(f, {}).values()) for f in Family}
    largest = max([*totals.values(), 1])
    track = _WIDTH - _LABEL - _VALUE
    body: list[str] = []
    for row, family in enumerate(Family):
        y = row * _ROW
        body.append(svg.text(0, y + 18, FAMILY_LABELS[family], size=11))
        body.append(svg.rect(_LABEL, y + 6, track, 16, TRACK, rx=2))
        x = _LABEL
        for severity in Severity:
            value = max(0, int(counts.get(family, {}).get(severity, 0)))
            if value:
                width = track * value / largest
                body.append(svg.rect(x, y + 6, width, 16, SEVERITY_COLOURS[severity]))
                x += width
        body.append(svg.text(_WIDTH - 4, y + 18, totals[family], anchor="end", weight="bold"))
    legend_y = len(Family) * _ROW + 8
    x = _LABEL
    for severity in Severity:
        body.append(svg.rect(x, legend_y, 10, 10, SEVERITY_COLOURS[severity]))
        body.append(svg.text(x + 14, legend_y + 9, SEVERITY_LABELS[severity], size=9))
        x += 66
    name = "Findings by family: " + ", ".join(f"{FAMILY_LABELS[f]} {totals[f]}" for f in Family)
    return svg.document(_WIDTH, legend_y + _LEGEND, name, "".join(body))
