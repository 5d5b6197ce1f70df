"""The values that cross the ports: what a save did, what a history says, why an event was rejected.

Plain data, imported at runtime by the domain and the adapters alike (the Protocols in ``ports``
are imported for type checking only).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from task_monitor.errors import InvalidEventError, RequestRefusedError

if TYPE_CHECKING:
    from task_monitor.domain.callers import Caller


class SaveOutcome(enum.Enum):
    RECORDED = "recorded"  # new event; the latest state moved to it
    RECORDED_LATE = "recorded-late"  # new event; the latest state already ranks higher, so it stays
    DUPLICATE_UNANNOUNCED = "duplicate-unannounced"  # seen before; its notification is now ours to send
    DUPLICATE = "duplicate"  # seen and fully handled before: nothing to do
    NOT_RECORDED = "not-recorded"  # nothing to record: a failed API call created or cancelled nothing
    # an API call kept in its target's history but not joined: it did not come through the events queue
    KEPT_UNJOINED = "kept-unjoined"

    @property
    def is_duplicate(self) -> bool:
        return self in (SaveOutcome.DUPLICATE, SaveOutcome.DUPLICATE_UNANNOUNCED)


@dataclass(frozen=True)
class HistoryFacts:
    """What an ending resource's record takes from its own history (one query)."""

    running_since: str | None = None  # event time of its RUNNING event, if one was recorded
    created_by: Caller | None = None  # from its CreateQuantumTask / CreateJob call, if received
    cancelled_by: Caller | None = None  # from its first CancelQuantumTask / CancelJob call, if received


@dataclass(frozen=True)
class Rejection:
    """An event that can never be processed, as it goes to the dead-letter queue: invalid, or a
    request AWS refused for itself while processing it."""

    message_id: str
    error: InvalidEventError | RequestRefusedError
    rejected_at: str


@dataclass(frozen=True)
class Recorded:
    """What became of one event: the store's outcome and, if it was announced, the message."""

    outcome: SaveOutcome
    message_id: str | None = None
    unmarked_notification: str | None = None  # published, but the SENT mark failed (the error's name)
