"""The pipeline for one task event: validate, enrich, audit, announce. AWS stays behind the ports."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.callers import with_caller_details
from task_monitor.domain.cost.source import ShippedPrices
from task_monitor.domain.enrichment import EnrichmentFailure, enrich
from task_monitor.domain.kinds.task.event import TaskStateChange, parse_task_event
from task_monitor.domain.kinds.task.record import TaskRecord, build_record
from task_monitor.domain.notification_model import Notification
from task_monitor.domain.registry import TASK
from task_monitor.domain.results import ProcessingResult
from task_monitor.domain.status import is_terminal

if TYPE_CHECKING:
    from task_monitor.domain.ports import AuditStore, Budgets, Prices, SimulatorDurations, TaskDescriber

__all__ = ["ProcessingResult", "TaskMonitor"]

SIMULATOR_DEVICE_KIND = "quantum-simulator"  # a device ARN's kind (domain.arns.DeviceArn.kind)


class TaskMonitor:
    """Turns one Braket task event into an audit record and, if wanted, one notification."""

    def __init__(
        self,
        describer: TaskDescriber,
        store: AuditStore,
        announcer: Announcer,
        notify_statuses: frozenset[str],
        clock: Callable[[], str],
        *,
        notify_caller_details: bool = False,
        budgets: Budgets | None = None,
        prices: Prices | None = None,
        simulator_durations: SimulatorDurations | None = None,
    ) -> None:
        self._describer = describer
        self._notify_caller_details = notify_caller_details
        self._budgets = budgets
        # Every record carries its estimatedCost; without a source given, the shipped table prices it.
        self._prices: Prices = prices if prices is not None else ShippedPrices()
        # With SIMULATOR_EXACT_DURATION on: a completed simulator task's executionDuration from S3.
        self._simulator_durations = simulator_durations
        self._store = store
        self._announcer = announcer
        self._notify_statuses = notify_statuses
        self._clock = clock

    def process(self, event: Any, arrival: Arrival) -> ProcessingResult:
        change = parse_task_event(event)  # InvalidEventError: nothing called, nothing written
        description, failure = self._describe(change)
        notify = change.status in self._notify_statuses
        history = self._store.history_facts(change.task.arn) if is_terminal(change.status) or notify else None
        record = build_record(
            change,
            description,
            enrichment_failure=failure,
            running_since=history.running_since if history else None,
            enriched_at=self._clock() if description is not None else None,
            created_by=history.created_by if history else None,
            cancelled_by=history.cancelled_by if history else None,
            arrival=arrival.field(),
            prices=self._prices.current(),
            simulator_execution=self._simulator_execution(change),
        )
        # The record keeps who called; the callers' details reach the notification only if configured.
        shown = (
            with_caller_details(record, history.created_by, history.cancelled_by)
            if self._notify_caller_details and history
            else record
        )
        recorded = self._announcer.record_and_announce(
            self._store,
            record,
            notify=notify,
            render=lambda: _render(cast(TaskRecord, shown)),
        )
        result = ProcessingResult.of(
            TASK.name,
            record,
            recorded,
            enrichment_failure=failure,
            queued_seconds=(
                record.get("timings", {}).get("queuedSeconds")
                if change.status == "RUNNING" and not recorded.outcome.is_duplicate
                else None
            ),
        )
        if self._budgets is None:
            return result
        # After the save, on every delivery (a duplicate too: the one before may have died before this
        # step); the step reads the latest state itself, so the order of events does not matter.
        return dataclasses.replace(result, budgets=self._budgets.account(change.task.arn))

    def _simulator_execution(self, change: TaskStateChange) -> dict[str, Any] | None:
        """One GetObject per completed simulator task, only with the option on (docs/costs.md)."""
        if (
            self._simulator_durations is None
            or change.status != "COMPLETED"
            or change.device.kind != SIMULATOR_DEVICE_KIND
            or not change.output_s3_bucket
        ):
            return None
        duration, why = self._simulator_durations.execution_ms(
            change.output_s3_bucket, change.output_s3_directory or ""
        )
        return {"durationMs": duration} if duration is not None else {"unreadable": why}

    def _describe(self, change: TaskStateChange) -> tuple[dict[str, Any] | None, EnrichmentFailure | None]:
        return enrich(lambda: self._describer.describe(change.task, change.status))


def _render(record: TaskRecord) -> Notification:
    from task_monitor.domain.kinds.task.notification import render_notification  # only events that notify need it

    return render_notification(record)
