"""The posture score gauge: a half ring filled in proportion to the score (0-100)."""

from __future__ import annotations

import math

from markupsafe import Markup

from failsafe.charts import svg
from failsafe.charts.palette import MUTED, TRACK, score_colour

_WIDTH = 220.0
_HEIGHT = 130.0
_CX = 110.0
_CY = 112.0
_RADIUS = 90.0
_STROKE = 18.0


def _point(fraction: float) -> tuple[float, float]:
    # fraction 0 is the left end of the half ring, 1 the right end, through the top.
    angle = math.pi * (1 - fraction)
    return _CX + _RADIUS * math.cos(angle), _CY - _RADIUS * math.sin(angle)


def _arc(fraction: float, colour: str) -> str:
    start_x, start_y = _point(0.0)
    end_x, end_y = _point(fraction)
    return (
        f'<path d="M {svg.num(start_x)} {svg.num(start_y)} A {svg.num(_RADIUS)} {svg.num(_RADIUS)}'
        f' 0 0 1 {svg.num(end_x)} {svg.num(end_y)}" fill="none" stroke="{colour}"'
        f' stroke-width="{svg.num(_STROKE)}" stroke-linecap="butt"/>'
    )


def score_gauge(score: int | None, *, label: str = "Posture score") -> Markup:
    """A gauge for ``score`` (clamped to 0-100); ``None`` draws an empty ring marked "n/a"."""
    body = [_arc(1.0, TRACK)]
    if score is None:
        caption = "n/a"
        name = f"{label}: not available"
    else:
        score = max(0, min(100, int(score)))
        caption = str(score)
        name = f"{label}: {score} out of 100"
        if score > 0:
            body.append(_arc(score / 100, score_colour(score)))
    body.append(svg.text(_CX, _CY - 14, caption, size=34, anchor="middle", weight="bold"))
    body.append(svg.text(_CX, _CY + 12, label, size=11, anchor="middle", fill=MUTED, limit=30))
    return svg.document(_WIDTH, _HEIGHT + 6, name, "".join(body))
