"""The posture score printed on the report when the scan has no stored score.

# Limitation: the detections package owns the posture score; until its score is stored with the
# scan, the report falls back to this simple, documented formula (100 minus a penalty per rule
# that fired, weighted by severity, with diminishing weight for repeats). Reading the stored
# score in :func:`failsafe.reports.build.build_view` would fix it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from failsafe.detections.model import Severity
from failsafe.reports.view import FindingView

WEIGHTS = {
    Severity.CRITICAL: 12.0,
    Severity.HIGH: 6.0,
    Severity.MEDIUM: 3.0,
    Severity.LOW: 1.0,
    Severity.INFO: 0.0,
}


def fallback_score(findings: Iterable[FindingView]) -> int:
    """0-100: each rule costs its severity weight times (1 + log2 of its finding count)."""
    per_rule: Counter[tuple[str, Severity]] = Counter((f.rule_id, f.severity) for f in findings)
    penalty = sum(WEIGHTS[sev] * (1 + math.log2(n)) for (_, sev), n in per_rule.items())
    return max(0, min(100, round(100 - penalty)))
