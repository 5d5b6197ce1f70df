"""The ports: what the domain needs from the outside world, as Protocols the adapters satisfy.

The composition root (``wiring.py``) plugs the AWS adapters in; tests plug fakes in. Nothing here
imports AWS. The values that cross these ports (``SaveOutcome``, ``HistoryFacts``, ``Rejection``)
live in ``outcomes``; the function's own modules import this one only for type checking, so the
Protocols cost no cold start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from task_monitor.domain.outcomes import HistoryFacts, Rejection, SaveOutcome

__all__ = [
    "AuditStore",
    "BudgetLedger",
    "Budgets",
    "CallJoinStore",
    "DeadLetters",
    "HistoryFacts",
    "IntakeObserver",
    "JobDescriber",
    "JobTasks",
    "NotificationStore",
    "Prices",
    "Publisher",
    "Rejection",
    "SaveOutcome",
    "SimulatorDurations",
    "SpendStore",
    "TaskDescriber",
    "ThresholdMarks",
    "WaitingTasks",
]

if TYPE_CHECKING:
    from task_monitor.domain.arns import JobArn, TaskArn
    from task_monitor.domain.budgets.rules import Contribution, TotalChange
    from task_monitor.domain.budgets.standing import Applied, BudgetReport, MonthStanding
    from task_monitor.domain.cost.price_table import PriceTable
    from task_monitor.domain.notification_model import Notification
    from task_monitor.domain.results import ProcessingResult


class TaskDescriber(Protocol):
    def describe(self, task: TaskArn, event_status: str | None = None) -> dict[str, Any]:
        """GetQuantumTask with queue info, in the task's region; raise EnrichmentError.
        ``event_status`` lets it wait briefly for Braket to catch up with an ended task."""
        ...


class NotificationStore(Protocol):
    """Where what is announced is recorded once, with the claim on its notification (see ``Announcer``)."""

    def save(self, record: Mapping[str, Any], *, claim: str | None) -> SaveOutcome:
        """Record the event and advance the latest state, atomically; detect duplicates.

        ``claim`` (only for events to notify) identifies this attempt: the store hands the
        notification to one attempt at a time, or raises NotificationInProgressError.
        """
        ...

    def mark_notified(self, record: Mapping[str, Any]) -> None:
        """Remember that the event's notification went out, so a redelivery sends nothing."""
        ...

    def release_claim(self, record: Mapping[str, Any], claim: str) -> None:
        """Give the notification back after a failed publish, for the redelivery to send."""
        ...


class AuditStore(NotificationStore, Protocol):
    """One kind's audit log: write-once event items, and a latest state that never moves backwards."""

    def history_facts(self, arn: str) -> HistoryFacts:
        """What the resource's recorded history says about it (see ``HistoryFacts``)."""
        ...

    def latest(self, arn: str) -> dict[str, Any] | None:
        """The resource's latest state as stored, or None."""
        ...


class Publisher(Protocol):
    # The longest one publish call can take, retries included (from the client's configuration).
    longest_publish_seconds: float

    def publish(self, notification: Notification) -> str:
        """Publish and return the message id."""
        ...


class DeadLetters(Protocol):
    def send(self, body: str, rejection: Rejection) -> None:
        """Put the message body, unchanged, on the dead-letter queue with the rejection's error."""
        ...


class IntakeObserver(Protocol):
    """Logs and metrics for each message; the intake itself stays free of them."""

    def begin(self, message_id: str, event: Any) -> None: ...

    def processed(self, result: ProcessingResult) -> None: ...

    def rejected(self, rejection: Rejection) -> None: ...

    def failed(self, message_id: str, error: Exception) -> None: ...

    def deferred(self, message_ids: Sequence[str]) -> None: ...


class WaitingTasks(Protocol):
    """How many of the account's tasks wait on a device (latest status CREATED or QUEUED)."""

    def count(self, device_arn: str) -> int:
        """The number of tasks whose latest state waits on ``device_arn``, counted from the audit log."""
        ...


class JobDescriber(Protocol):
    def describe(self, job: JobArn, event_status: str | None = None) -> dict[str, Any]:
        """GetJob with queue info, in the job's region; raise EnrichmentError.
        ``event_status`` lets it wait briefly for Braket to catch up with an ended job."""
        ...


class JobTasks(Protocol):
    """The quantum tasks a hybrid job created, as the audit log holds them (the byJob index)."""

    def tasks_of_job(self, job_arn: str) -> list[dict[str, Any]]:
        """The latest state of each of the job's tasks recorded so far."""
        ...


class CallJoinStore(Protocol):
    """Where a CloudTrail-borne API call is joined onto its task or job (see ``api_call_monitor``)."""

    def join_call(self, record: Mapping[str, Any], role: str) -> SaveOutcome:
        """Record the call once in the target's history and name its caller on the latest state under
        ``role`` (``createdBy``/``cancelledBy``): a real caller replaces ``unknown``; of several
        cancels the earliest stays. RECORDED when the latest state took it, RECORDED_LATE when only
        the history did, DUPLICATE for an event recorded before."""
        ...

    def keep_call(self, record: Mapping[str, Any]) -> SaveOutcome:
        """Record the call once in the target's history without naming its caller on the latest state
        (a call whose arrival cannot vouch for it): RECORDED_LATE, or DUPLICATE for one recorded before."""
        ...


class Budgets(Protocol):
    """The budget step: a task's latest state counted in its budgets' monthly totals, exactly once."""

    def account(self, task_arn: str) -> BudgetReport:
        """Bring the task's contributions to its budgets in line with its latest state (only the
        difference is applied) and announce any threshold the totals reached, once each."""
        ...


class BudgetLedger(Protocol):
    """The budgets' storage: each task's applied contributions, the monthly totals and sub-totals, and
    the threshold crossings (``crossings``, whose notifications are claimed like events')."""

    @property
    def crossings(self) -> NotificationStore:
        """Where each threshold crossing is recorded once, with the claim on its notification."""
        ...

    def applied(self, task_arn: str) -> Applied:
        """What was applied for the task so far (read consistently), with the version it was written at."""
        ...

    def latest_state(self, task_arn: str) -> dict[str, Any] | None:
        """The task's latest state, read consistently (after ``applied``: see ``BudgetAccounting``)."""
        ...

    def apply(
        self, task_arn: str, applied: Applied, contributions: Mapping[str, Contribution], changes: Sequence[TotalChange]
    ) -> bool:
        """Write the task's new contributions and add ``changes`` to the totals, all or nothing, only if
        the task's applied item is still at ``applied.version``; False if another write came first."""
        ...

    def month_standing(self, budget: str, month: str) -> MonthStanding:
        """A budget's month: its total and which thresholds were announced or are being announced."""
        ...

    def creator_subtotals(self, budget: str, month: str) -> dict[str, Decimal]:
        """Each creator's spend in a budget's month."""
        ...


class SpendStore(AuditStore, Protocol):
    """A spending limit's log: an audit store that can also settle a claim as "nothing to announce"."""

    def drop_claim(self, record: Mapping[str, Any], claim: str) -> None:
        """The event's notification is not wanted after all (another event announces its crossing):
        set it NOT_WANTED if ``claim`` still holds it, so no redelivery publishes it."""
        ...


class ThresholdMarks(Protocol):
    """Which thresholds of a spending limit were announced in a period, and by which event."""

    def advance(
        self, limit_arn: str, period_key: str, reached: int, thresholds: Sequence[int], event_id: str
    ) -> tuple[int, ...]:
        """Raise the period's highest announced threshold to ``reached`` if it is lower, naming ``event_id``
        the announcer of every threshold up to ``reached`` that no other event announces; return the
        thresholds ``event_id`` announces (the same on a repeat, empty when other events announce them)."""
        ...


class Prices(Protocol):
    """The price table the cost estimates use (``domain.cost``): shipped, overridden, or refreshed."""

    def current(self) -> PriceTable:
        """The table to price with now (read once and kept, or re-read after a while: the adapter's choice)."""
        ...


class SimulatorDurations(Protocol):
    """A completed simulator task's billed execution time, from its result object (an option)."""

    def execution_ms(self, bucket: str, directory: str) -> tuple[int | None, str | None]:
        """(milliseconds, None), or (None, why it could not be read): never raises for a missing or
        unreadable result, which only makes the cost fall back to the running time."""
        ...
