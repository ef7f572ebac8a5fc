"""The posture score over successive scans: a line with a dot and label per scan."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from failsafe.charts import svg
from failsafe.charts.palette import ACCENT, MUTED, TRACK

_WIDTH = 460.0
_HEIGHT = 150.0
_LEFT = 34.0
_RIGHT = 32.0
_TOP = 14.0
_BOTTOM = 28.0
# More points than this would make the labels collide; the newest ones matter most.
MAX_POINTS = 12


def trend_line(points: Sequence[tuple[str, int]], *, label: str = "Posture score trend") -> Markup:
    """``points`` are (label, score 0-100) oldest first; fewer than two draws a note instead."""
    points = list(points)[-MAX_POINTS:]
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    body: list[str] = []
    for tick in (0, 50, 100):
        y = _TOP + plot_h * (1 - tick / 100)
        body.append(svg.rect(_LEFT, y, plot_w, 0.8, TRACK))
        body.append(svg.text(_LEFT - 4, y + 3, tick, size=8, anchor="end", fill=MUTED))
    if len(points) < 2:
        body.append(
            svg.text(
                _WIDTH / 2,
                _HEIGHT / 2,
                "Trend appears after the second scan",
                size=11,
                anchor="middle",
                fill=MUTED,
            )
        )
        return svg.document(_WIDTH, _HEIGHT, f"{label}: not enough scans yet", "".join(body))

    step = plot_w / (len(points) - 1)
    coords = [
        (_LEFT + i * step, _TOP + plot_h * (1 - max(0, min(100, score)) / 100))
        for i, (_, score) in enumerate(points)
    ]
    path = " ".join(f"{svg.num(x)},{svg.num(y)}" for x, y in coords)
    body.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="2"/>')
    for (x, y), (name, score) in zip(coords, points, strict=True):
        body.append(f'<circle cx="{svg.num(x)}" cy="{svg.num(y)}" r="3.5" fill="{ACCENT}"/>')
        body.append(svg.text(x, y - 7, max(0, min(100, score)), size=9, anchor="middle"))
        body.append(svg.text(x, _HEIGHT - 10, name, size=8, anchor="middle", fill=MUTED, limit=12))
    summary = ", ".join(f"{svg.clean_text(n, 12)} {s}" for n, s in points)
    return svg.document(_WIDTH, _HEIGHT, f"{label}: {summary}", "".join(body))
