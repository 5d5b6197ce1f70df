"""How long the audit log keeps what it keeps: history for a while, callers' details for less.

Every item the store writes carries an expiry (``audit_schema.EXPIRY_ATTRIBUTE``, epoch seconds) that
DynamoDB's time to live deletes after (usually within a few days of it). The history of a task, job or
device, its latest state included, lives ``history_days`` from its last write; a record that names a
caller in full (an API call's own history item: session and user names, source IP, user agent) lives
``caller_details_days``, the shorter of the two. ``None`` keeps items until someone deletes them.
Why these defaults: ``docs/decisions.md``, "Callers' details expire".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from task_monitor.domain.callers import carries_caller_details

DEFAULT_HISTORY_DAYS = 400  # a year of reports, and the month either side of it
DEFAULT_CALLER_DETAILS_DAYS = 90  # a quarter: long enough to ask "who was that?", no longer
MAX_RETENTION_DAYS = 3653
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Retention:
    history_days: int | None = DEFAULT_HISTORY_DAYS
    caller_details_days: int | None = DEFAULT_CALLER_DETAILS_DAYS

    def __post_init__(self) -> None:
        for name in ("history_days", "caller_details_days"):
            days = getattr(self, name)
            if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
                raise ValueError(f"{name} must be 1..{MAX_RETENTION_DAYS} days or None (kept), got {days!r}")

    def days_for(self, record: Mapping[str, Any]) -> int | None:
        """How many days an item holding ``record`` is kept from its write (None: kept)."""
        if carries_caller_details(record) and self.caller_details_days is not None:
            return min(self.caller_details_days, self.history_days or self.caller_details_days)
        return self.history_days

    def expires_at(self, record: Mapping[str, Any], now_seconds: float) -> int | None:
        """The item's expiry in epoch seconds (DynamoDB time to live), or None when it is kept."""
        days = self.days_for(record)
        return None if days is None else int(now_seconds) + days * SECONDS_PER_DAY


DEFAULT_RETENTION = Retention()
KEEP_EVERYTHING = Retention(history_days=None, caller_details_days=None)
