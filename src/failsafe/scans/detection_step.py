"""The detection step of a scan, called inside the persistence transaction.

Pending: the rules engine (``failsafe.detections.engine.evaluate`` and the findings service)
had not been committed when the pipeline was written. This function is the single place that
will call it; until then it records that detection did not run, and the scan's inventory is
complete and loadable with :func:`failsafe.inventory.load.load_inventory`.
"""

from __future__ import annotations

import importlib.util
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.inventory.model import Inventory

log = structlog.get_logger(__name__)


async def run_detection(session: AsyncSession, scan_id: uuid.UUID, inventory: Inventory) -> int:
    """Evaluate the rules on ``inventory`` and store findings; returns how many were stored."""
    if importlib.util.find_spec("failsafe.detections.engine") is None:
        log.warning(
            "scan.detection_pending",
            scan_id=str(scan_id),
            reason="failsafe.detections.engine is not available yet",
        )
        return 0
    # Pending: wire engine.evaluate + the findings service here once their API is committed.
    log.warning(
        "scan.detection_pending",
        scan_id=str(scan_id),
        reason="detections engine present but not wired yet",
    )
    return 0
