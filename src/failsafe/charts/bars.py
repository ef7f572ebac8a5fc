"""Findings per severity as horizontal bars, one row per severity, most severe first."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from failsafe.charts import svg
from failsafe.charts.palette import INK, SEVERITY_COLOURS, SEVERITY_LABELS, TRACK
from failsafe.detections.model import Severity

_WIDTH = 420.0
_ROW = 24.0
_LABEL = 78.0
_VALUE = 46.0


def severity_bars(
    counts: Mapping[Severity, int], *, include_info: bool = False, label: str = "Findings"
) -> Markup:
    """Bars of ``counts`` per severity, scaled to the largest count."""
    severities = [s for s in Severity if include_info or s is not Severity.INFO]
    largest = max([counts.get(s, 0) for s in severities] + [1])
    track = _WIDTH - _LABEL - _VALUE
    body: list[str] = []
    for row, severity in enumerate(severities):
        value = max(0, int(counts.get(severity, 0)))
        y = row * _ROW
        body.append(svg.text(0, y + 16, SEVERITY_LABELS[severity], size=11, fill=INK))
        body.append(svg.rect(_LABEL, y + 5, track, 14, TRACK, rx=2))
        body.append(
            svg.rect(_LABEL, y + 5, track * value / largest, 14, SEVERITY_COLOURS[severity])
        )
        body.append(svg.text(_WIDTH - 4, y + 16, value, size=11, anchor="end", weight="bold"))
    name = (
        label
        + ": "
        + ", ".join(f"{SEVERITY_LABELS[s]} {int(counts.get(s, 0))}" for s in severities)
    )
    return svg.document(_WIDTH, len(severities) * _ROW + 4, name, "".join(body))
