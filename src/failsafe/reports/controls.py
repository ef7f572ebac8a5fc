"""Framework names and control titles printed in the framework sections.

Titles come from the shipped control catalog (``failsafe.catalog``), the same one rule metadata
is validated against, so the report never prints a title the catalog does not have.
"""

from __future__ import annotations

from failsafe.catalog.loader import load_catalogs
from failsafe.detections.model import Framework

FRAMEWORK_NAMES: dict[Framework, str] = {
    Framework.NIST_CSF_2: "NIST CSF 2.0",
    Framework.CIS_V8: "CIS Controls v8",
    Framework.SOC2: "SOC 2",
    Framework.ISO_27001_2022: "ISO/IEC 27001:2022",
}


def control_title(framework: Framework, control_id: str) -> str:
    """The printed title of a control from the control catalog; unknown ids print untitled."""
    control = load_catalogs().controls.get((framework, control_id))
    return control.title if control is not None else ""


def control_sort_key(control_id: str) -> tuple[object, ...]:
    """Natural order: 2.10 after 2.9, PR.AA-05 after PR.AA-01."""
    parts: list[object] = []
    for chunk in control_id.replace("-", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)
