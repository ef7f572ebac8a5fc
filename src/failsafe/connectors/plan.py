"""What one collection run should read, decided before any request is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from failsafe.inventory.model import EmailSignal


@dataclass(frozen=True)
class CollectionPlan:
    """The scan's clock, mail window and options.

    ``mail_since`` is None when mail metadata is off for the connection. Mail in
    ``[mail_since, started_at)`` is read; ``email_seed`` carries the previous scan's signals so
    an incremental scan still ends with the complete picture.
    """

    started_at: datetime
    mail_since: datetime | None
    email_seed: tuple[EmailSignal, ...] = field(default=())
    user_tokens: bool = False  # Google: also call tokens.list per user (customer opt-in)
