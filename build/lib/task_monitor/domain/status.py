"""Statuses of each kind of Braket resource, and the order in which its latest state may move."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Rank decides what the latest-state record may move to: only to a higher rank, or to the same
# rank at a later event time. Terminal statuses rank highest, so a late RUNNING event after
# COMPLETED is recorded in the history but never moves the task backwards.
STATUS_RANK: dict[str, int] = {
    "CREATED": 1,
    "QUEUED": 2,
    "RUNNING": 3,
    "CANCELLING": 4,
    "COMPLETED": 5,
    "FAILED": 5,
    "CANCELLED": 5,
}
KNOWN_STATUSES = frozenset(STATUS_RANK)
TERMINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
DEFAULT_NOTIFY_STATUSES = ("COMPLETED", "FAILED", "CANCELLED")

# A status Braket may add later (say PAUSED) is still recorded: it is audited in the history,
# never moves the latest state (its place in the lifecycle is unknown) and is never notified.
UNKNOWN_STATUS_RANK = 0
_STATUS_SHAPE = re.compile(r"^[A-Z][A-Z_]{1,31}$")


def is_status_shaped(value: object) -> bool:
    """True for an upper-case word such as Braket uses for statuses, known or not."""
    return isinstance(value, str) and bool(_STATUS_SHAPE.fullmatch(value))


def rank(status: str) -> int:
    return STATUS_RANK.get(status, UNKNOWN_STATUS_RANK)


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


@dataclass(frozen=True)
class Lifecycle:
    """One kind's statuses: their ranks (the latest state only moves up, or within a rank to a later
    event) and which of them end the resource's life."""

    kind: str
    ranks: Mapping[str, int]
    terminal: frozenset[str]

    @property
    def statuses(self) -> frozenset[str]:
        return frozenset(self.ranks)

    def rank(self, status: str) -> int:
        return self.ranks.get(status, UNKNOWN_STATUS_RANK)

    def is_terminal(self, status: str) -> bool:
        return status in self.terminal


TASK_LIFECYCLE = Lifecycle("task", STATUS_RANK, TERMINAL_STATUSES)
# GetJob's JobPrimaryStatus, in the API's own order (the dashboard lists them so): a hybrid job is never
# CREATED, it starts QUEUED; each status ranks as a task's does.
JOB_LIFECYCLE = Lifecycle(
    "job",
    {status: STATUS_RANK[status] for status in ("QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED")},
    TERMINAL_STATUSES,
)
# A device's availability swings both ways (ONLINE, OFFLINE, ONLINE...): every status ranks the same,
# so its latest state is simply its latest event; RETIRED is not final in that sense either.
DEVICE_LIFECYCLE = Lifecycle("device", {"ONLINE": 1, "OFFLINE": 1, "RETIRED": 1}, frozenset())
# A spending limit's "status" says whether its total spend has reached the limit. Its latest state is
# ordered by period and total spend instead (``domain/kinds/spending_limit/record.spend_rank``).
SPENDING_LIMIT_LIFECYCLE = Lifecycle("spending_limit", {"WITHIN_LIMIT": 1, "LIMIT_REACHED": 1}, frozenset())


def parse_status_list(text: str) -> frozenset[str]:
    """Parse a comma list such as NOTIFY_STATUSES; unknown names are an error, not a silent no-op."""
    statuses = {part.strip().upper() for part in text.split(",") if part.strip()}
    unknown = sorted(statuses - KNOWN_STATUSES)
    if unknown:
        raise ValueError(f"unknown status(es) {', '.join(unknown)}; choose from {', '.join(sorted(KNOWN_STATUSES))}")
    return frozenset(statuses)
