"""What happened to one event, whatever its kind: for the caller, the logs and the metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from task_monitor.domain.outcomes import Recorded, SaveOutcome
from task_monitor.domain.registry import ARN_FIELDS

if TYPE_CHECKING:
    from task_monitor.domain.budgets.standing import BudgetReport
    from task_monitor.domain.enrichment import EnrichmentFailure

# The ``source`` of a task a spending limit refused (a CloudTrail call recorded on its own: api_call/refused.py).
REFUSED_TASK_SOURCE = "refusedTask"


@dataclass(frozen=True)
class ProcessingResult:
    """One processed event: its record, what the store made of it, and whether it was announced.

    ``kind`` is the resource the record belongs to (task, job or device); ``source`` says what the
    event was when that differs (``apiCall`` for a CloudTrail call joined onto a task or job)."""

    record: Mapping[str, Any]
    outcome: SaveOutcome
    notified: bool
    kind: str = "task"
    source: str = "stateChange"
    message_id: str | None = None
    enrichment_error: str | None = None
    # Published, but the "sent" mark could not be written (the error's name): see Announcer.
    unmarked_notification: str | None = None
    queued_seconds: float | None = field(default=None)
    # What the budget step did after the save (only when budgets are configured).
    budgets: BudgetReport | None = None

    @classmethod
    def of(
        cls,
        kind: str,
        record: Mapping[str, Any],
        recorded: Recorded,
        *,
        enrichment_failure: EnrichmentFailure | None = None,
        queued_seconds: float | None = None,
        source: str = "stateChange",
    ) -> ProcessingResult:
        """What became of one event (recorded, perhaps announced): every monitor's one way to say it."""
        return cls(
            record=record,
            outcome=recorded.outcome,
            notified=recorded.message_id is not None,
            kind=kind,
            source=source,
            message_id=recorded.message_id,
            enrichment_error=enrichment_failure.code if enrichment_failure else None,
            unmarked_notification=recorded.unmarked_notification,
            queued_seconds=queued_seconds,
        )

    @property
    def arn(self) -> str:
        return str(self.record.get(ARN_FIELDS.get(self.kind, ""), ""))

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"eventId": self.record["eventId"], "kind": self.kind}
        summary[ARN_FIELDS.get(self.kind, "arn")] = self.arn
        if self.source != "stateChange":
            summary["source"] = self.source
        summary.update(
            {
                "status": self.record.get("status"),
                "outcome": self.outcome.value,
                "notified": self.notified,
                "messageId": self.message_id,
                "enrichmentError": self.enrichment_error,
                "notificationUnmarked": self.unmarked_notification is not None,
            }
        )
        arrival = self.record.get("arrival")
        if isinstance(arrival, dict) and arrival.get("via") != "queue":  # the usual way goes unsaid
            summary["arrival"] = arrival.get("via")
        if self.budgets is not None and self.budgets.did_something:
            summary["budgets"] = {
                "totalsUpdated": self.budgets.totals_updated,
                "thresholdsAnnounced": list(self.budgets.thresholds_announced),
            }
        return summary
