"""The pipeline for one event: validate, enrich, audit, announce. AWS stays behind the ports."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from task_monitor.domain.events import TaskStateChange, parse_task_event
from task_monitor.domain.notification import render_notification
from task_monitor.domain.ports import AuditStore, Publisher, SaveOutcome, TaskDescriber
from task_monitor.domain.record import EnrichmentFailure, TaskRecord, build_record
from task_monitor.domain.status import is_terminal
from task_monitor.errors import ClaimExpiredError, EnrichmentError

# DynamoDB stores a claim's time in whole seconds (rounded down), so another attempt may see it as
# up to this much older than it is.
CLAIM_TIME_RESOLUTION_SECONDS = 1.0


@dataclass(frozen=True)
class ProcessingResult:
    """What happened to one event, for the caller, the logs and the metrics."""

    record: TaskRecord
    outcome: SaveOutcome
    notified: bool
    message_id: str | None = None
    enrichment_error: str | None = None
    # Published, but the "sent" mark could not be written (the error's name): see _mark_notified.
    unmarked_notification: str | None = None
    queued_seconds: float | None = field(default=None)

    def summary(self) -> dict[str, Any]:
        return {
            "eventId": self.record["eventId"],
            "quantumTaskArn": self.record["quantumTaskArn"],
            "status": self.record["status"],
            "outcome": self.outcome.value,
            "notified": self.notified,
            "messageId": self.message_id,
            "enrichmentError": self.enrichment_error,
            "notificationUnmarked": self.unmarked_notification is not None,
        }


class TaskMonitor:
    """Turns one Braket task event into an audit record and, if wanted, one notification."""

    def __init__(
        self,
        describer: TaskDescriber,
        store: AuditStore,
        publisher: Publisher,
        notify_statuses: frozenset[str],
        clock: Callable[[], str],
        *,
        claim_timeout_seconds: float,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._describer = describer
        self._store = store
        self._publisher = publisher
        self._notify_statuses = notify_statuses
        self._clock = clock
        self._claim_timeout = claim_timeout_seconds
        self._now = now

    def process(self, event: Any) -> ProcessingResult:
        change = parse_task_event(event)  # InvalidEventError: nothing called, nothing written
        description, failure = self._describe(change)
        running_since = self._store.running_since(change.task.arn) if is_terminal(change.status) else None
        record = build_record(
            change,
            description,
            enrichment_failure=failure,
            running_since=running_since,
            enriched_at=self._clock() if description is not None else None,
        )
        notify = change.status in self._notify_statuses
        claim = str(uuid.uuid4()) if notify else None
        claimed_no_earlier_than = self._now()
        outcome = self._store.save(record, claim=claim)

        message_id, unmarked = None, None
        if claim and outcome is not SaveOutcome.DUPLICATE:
            # The event stays "being published" until SNS accepts it, so a failed publish, or a
            # lost answer, leaves the redelivered event something still to do.
            self._check_claim_outlasts_a_publish(record, claim, claimed_no_earlier_than)
            try:
                message_id = self._publisher.publish(render_notification(record))
            except Exception:
                self._store.release_claim(record, claim)
                raise
            unmarked = self._mark_notified(record)

        return ProcessingResult(
            record=record,
            outcome=outcome,
            notified=message_id is not None,
            message_id=message_id,
            enrichment_error=failure.code if failure else None,
            unmarked_notification=unmarked,
            queued_seconds=(
                record.get("timings", {}).get("queuedSeconds")
                if change.status == "RUNNING" and not outcome.is_duplicate
                else None
            ),
        )

    def _check_claim_outlasts_a_publish(self, record: TaskRecord, claim: str, claimed_from: float) -> None:
        """Publish only while the claim is sure to outlive the publish call; otherwise give it back.

        Another attempt may take a claim older than the claim timeout. A run stalled between taking
        the claim and publishing (a frozen container, a starved replay on a laptop) must therefore
        not publish unless the longest possible publish still ends inside the claim's lifetime."""
        deadline = (
            claimed_from + self._claim_timeout - CLAIM_TIME_RESOLUTION_SECONDS - self._publisher.longest_publish_seconds
        )
        if self._now() > deadline:
            self._store.release_claim(record, claim)
            raise ClaimExpiredError(
                f"event {record['eventId']}: the claim is too old to outlast a publish; left for a redelivery"
            )

    def _mark_notified(self, record: TaskRecord) -> str | None:
        """Mark the event SENT; never fail the event for it, since SNS already accepted the message.

        The store retries transient refusals itself. If it still cannot, the event stays claimed
        (PUBLISHING) and is only at risk of one repeat: a delivery of the same event arriving after
        the claim expired would publish it again. Returns the error's name, for logs and metrics."""
        try:
            self._store.mark_notified(record)
        except Exception as error:
            return type(error).__name__
        return None

    def _describe(self, change: TaskStateChange) -> tuple[dict[str, Any] | None, EnrichmentFailure | None]:
        try:
            return self._describer.describe(change.task, change.status), None
        except EnrichmentError as error:
            return None, EnrichmentFailure(code=error.code, message=error.message)
