"""Which stored scans make up an engagement's current state."""

from __future__ import annotations

COMPLETE_STATUSES = ("succeeded", "partial")

# The newest complete scan of each of the engagement's connections: one stale tenant never
# hides a fresh one, and a clean latest scan means no findings (not the older scan's). Bind
# ``:engagement_id``.
LATEST_COMPLETE_SCANS = (
    "SELECT DISTINCT ON (s.connection_id) s.id FROM scans s"
    " WHERE s.engagement_id = :engagement_id AND s.status IN ('succeeded', 'partial')"
    " ORDER BY s.connection_id, s.queued_at DESC"
)
