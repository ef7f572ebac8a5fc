"""The findings service: the functions the pipeline, API and portal call.

Services only flush; the caller's ``Database.transaction(actor)`` commits.
"""

from failsafe.detections.store.listing import (
    latest_scan_ids,
    list_findings,
    list_findings_json,
)
from failsafe.detections.store.persist import persist_findings
from failsafe.detections.store.reviews import accept_finding, reopen_finding, resolve_finding
from failsafe.detections.store.schemas import (
    FindingFilters,
    FindingsPage,
    PersistResult,
    StoredFinding,
)

__all__ = [
    "FindingFilters",
    "FindingsPage",
    "PersistResult",
    "StoredFinding",
    "accept_finding",
    "latest_scan_ids",
    "list_findings",
    "list_findings_json",
    "persist_findings",
    "reopen_finding",
    "resolve_finding",
]
