"""Server-side SVG charts shared by the portal and the PDF report.

Every function is pure and returns :class:`markupsafe.Markup` (a ``str``) holding one ``<svg>``
element: no script, no event handlers, no ``style`` attributes, no external references, text
escaped. Embed it directly in a Jinja template.
"""

from __future__ import annotations

from failsafe.charts.bars import severity_bars
from failsafe.charts.families import family_breakdown
from failsafe.charts.gauge import score_gauge
from failsafe.charts.trend import trend_line

__all__ = ["family_breakdown", "score_gauge", "severity_bars", "trend_line"]
