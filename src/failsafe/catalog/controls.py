"""Framework controls (ids and titles) that rule metadata may reference."""

from __future__ import annotations

from failsafe.catalog.datafile import rows
from failsafe.catalog.models import Control
from failsafe.detections.model import Framework


def load_controls() -> dict[tuple[Framework, str], Control]:
    """Every control keyed by (framework, id)."""
    controls: dict[tuple[Framework, str], Control] = {}
    for framework, control_id, title in rows("controls.txt", 3):
        control = Control(framework=Framework(framework), id=control_id, title=title)
        controls[(control.framework, control.id)] = control
    return controls
