"""Read a stored scan's findings as report rows.

# Limitation: the ``findings`` table (migration 0003) and the rule catalog belong to the
# detections package and had not landed when this was written. Until they do, a scan has no
# stored findings and this returns none (logged as ``report.findings_pending``); the report then
# shows the inventory sections and "no findings". Mapping the findings table's rows, and the
# rule catalog's remediation and control ids, in :func:`load_findings` fixes it.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.reports.view import FindingView

log = structlog.get_logger(__name__)


async def load_findings(
    session: AsyncSession, scan_id: uuid.UUID, tenant: str
) -> list[FindingView]:
    """The findings of ``scan_id`` visible to the session's actor, as report rows."""
    table = (await session.execute(text("SELECT to_regclass('findings')"))).scalar_one()
    if table is None:
        log.warning("report.findings_pending", scan_id=str(scan_id))
        return []
    log.warning("report.findings_unmapped", scan_id=str(scan_id))
    return []
