"""Colours shared by every chart (and mirrored in the report stylesheet)."""

from __future__ import annotations

from failsafe.detections.model import Family, Severity

SEVERITY_COLOURS: dict[Severity, str] = {
    Severity.CRITICAL: "#9b1c1c",
    Severity.HIGH: "#d9480f",
    Severity.MEDIUM: "#e8a400",
    Severity.LOW: "#3b82c4",
    Severity.INFO: "#8a94a6",
}

SEVERITY_LABELS: dict[Severity, str] = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}

FAMILY_LABELS: dict[Family, str] = {
    Family.SHADOW_IT: "Shadow IT",
    Family.APP_PERMISSIONS: "Third-party apps",
    Family.IDENTITY: "Identity",
    Family.LICENSES: "Licences",
}

INK = "#1f2933"
MUTED = "#6b7280"
TRACK = "#e5e7eb"
ACCENT = "#1d4ed8"


def score_colour(score: int) -> str:
    """Red below 50, amber below 75, green from 75."""
    if score < 50:
        return SEVERITY_COLOURS[Severity.CRITICAL]
    if score < 75:
        return SEVERITY_COLOURS[Severity.MEDIUM]
    return "#2f855a"
