"""The function's log lines and metrics: what each outcome writes, through ``task_monitor.telemetry``.

The logger and the EMF writer are the project's own, in the shapes Powertools wrote before (its
import alone cost about 25 ms of every cold start: docs/decisions.md).

No tracer: Lambda's active tracing records every invocation (cold start included) without an SDK in
the function, and the X-Ray SDK that Powertools' Tracer wraps is in maintenance mode since February
2026 (end of support February 2027) while costing about 10 ms of every cold start.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from task_monitor import telemetry_names as names
from task_monitor.domain import registry
from task_monitor.domain.arns import record_device_label
from task_monitor.domain.arrival import ARRIVAL_FIELD
from task_monitor.domain.outcomes import Rejection, SaveOutcome
from task_monitor.domain.results import REFUSED_TASK_SOURCE, ProcessingResult
from task_monitor.domain.status import KNOWN_STATUSES
from task_monitor.domain.validation import is_event_id
from task_monitor.errors import InvalidEventError, NotificationInProgressError, RequestRefusedError
from task_monitor.telemetry import EmfMetrics, JsonLogger, MetricUnit

SERVICE = os.getenv("POWERTOOLS_SERVICE_NAME", names.SERVICE_NAME)
NAMESPACE = os.getenv("POWERTOOLS_METRICS_NAMESPACE", names.METRICS_NAMESPACE)

logger = JsonLogger(SERVICE)
metrics = EmfMetrics(NAMESPACE, SERVICE)


def record_invalid_event(error: InvalidEventError, message_id: str | None = None) -> None:
    """One log line (the field and the problem, never the payload) and one metric."""
    metrics.add_metric(name=names.INVALID_EVENTS, unit=MetricUnit.Count, value=1)
    logger.error(
        "Rejected invalid event",
        extra={"field": error.field, "problem": error.problem, "messageId": message_id},
    )


_REFUSAL_CHARACTERS = 500  # of AWS's message, in the log line


def record_refused_request(error: RequestRefusedError, message_id: str | None = None) -> None:
    """One log line (the service, the operation and AWS's own words) and one metric."""
    metrics.add_metric(name=names.REFUSED_EVENTS, unit=MetricUnit.Count, value=1)
    logger.error(
        "AWS refused a request of this event for itself; set aside, not retried",
        extra={
            "service": error.service,
            "operation": error.operation,
            "errorCode": error.code,
            "problem": error.message[:_REFUSAL_CHARACTERS],
            "messageId": message_id,
        },
    )


# Each state kind's event count (once with only `service`, once more by status), from the registry.
_EVENTS_BY_KIND = {kind.name: kind.events_metric for kind in registry.STORED_KINDS}
# The kinds whose notifications are also counted on their own.
_NOTIFICATIONS_BY_KIND = {
    registry.DEVICE.name: names.DEVICE_NOTIFICATIONS,
    registry.SPENDING_LIMIT.name: names.SPENDING_THRESHOLDS_CROSSED,
}


def record_result(result: ProcessingResult) -> None:
    """Metrics and the log line for one processed event; dimensioned metrics go out as their own EMF documents."""
    if result.source == REFUSED_TASK_SOURCE:
        record_refused_task(result)
    else:
        _record_event_result(result)


def _record_event_result(result: ProcessingResult) -> None:
    status = result.record.get("status")
    if result.source == "apiCall":
        _record_api_call(result)
    elif result.kind in _EVENTS_BY_KIND:
        events_metric = _EVENTS_BY_KIND[result.kind]
        metrics.add_metric(name=events_metric, unit=MetricUnit.Count, value=1)  # all statuses together
        if isinstance(status, str):
            _dimensioned(events_metric, MetricUnit.Count, 1, names.STATUS_DIMENSION, status)
    if result.outcome.is_duplicate:
        metrics.add_metric(name=names.DUPLICATE_EVENTS, unit=MetricUnit.Count, value=1)
    if result.outcome is SaveOutcome.RECORDED_LATE:
        metrics.add_metric(name=names.STALE_EVENTS, unit=MetricUnit.Count, value=1)
    if result.notified:
        metrics.add_metric(name=names.NOTIFICATIONS, unit=MetricUnit.Count, value=1)
        if result.kind in _NOTIFICATIONS_BY_KIND:
            metrics.add_metric(name=_NOTIFICATIONS_BY_KIND[result.kind], unit=MetricUnit.Count, value=1)
    if result.unmarked_notification:
        metrics.add_metric(name=names.UNMARKED_NOTIFICATIONS, unit=MetricUnit.Count, value=1)
        logger.warning(
            "Notification published but not marked sent; a delivery after its claim expires may repeat it",
            extra={"eventId": result.record["eventId"], "errorType": result.unmarked_notification},
        )
    if result.enrichment_error:
        metrics.add_metric(name=names.ENRICHMENT_ERRORS, unit=MetricUnit.Count, value=1)
    if result.kind == registry.TASK.name and result.source == "stateChange" and status not in KNOWN_STATUSES:
        metrics.add_metric(name=names.UNKNOWN_STATUS_EVENTS, unit=MetricUnit.Count, value=1)
    record_ignored_fields(result)
    record_budgets(result)
    record_task_spend(result)
    if result.queued_seconds is not None:
        device = record_device_label(result.record)
        seconds = result.queued_seconds
        _dimensioned(names.QUEUE_WAIT_SECONDS, MetricUnit.Seconds, seconds, names.DEVICE_DIMENSION, device)
    logger.info(f"Processed {result.kind} event", extra=result.summary())


def _record_api_call(result: ProcessingResult) -> None:
    """A CloudTrail call: joined (by call name), not joined (it failed), or kept unjoined (by arrival)."""
    if result.outcome is SaveOutcome.NOT_RECORDED:
        record_unjoined_call(str(result.record.get("eventName", "unknown")), _unjoined_reason(result.record))
    elif result.outcome is SaveOutcome.KEPT_UNJOINED:
        record_kept_unjoined_call(result.record)
    else:
        call = str(result.record.get("eventName", "unknown"))
        metrics.add_metric(name=registry.API_CALL.events_metric, unit=MetricUnit.Count, value=1)
        _dimensioned(registry.API_CALL.events_metric, MetricUnit.Count, 1, names.CALL_DIMENSION, call)


def record_refused_task(result: ProcessingResult) -> None:
    """A task a spending limit refused: counted (once per distinct event), and its notification."""
    if not result.outcome.is_duplicate:
        metrics.add_metric(name=names.REFUSED_TASKS, unit=MetricUnit.Count, value=1)
    else:
        metrics.add_metric(name=names.DUPLICATE_EVENTS, unit=MetricUnit.Count, value=1)
    if result.notified:
        metrics.add_metric(name=names.NOTIFICATIONS, unit=MetricUnit.Count, value=1)
    if result.unmarked_notification:
        metrics.add_metric(name=names.UNMARKED_NOTIFICATIONS, unit=MetricUnit.Count, value=1)
    logger.info("Refused task recorded", extra=result.summary())


def record_ignored_fields(result: ProcessingResult) -> None:
    """Fields a job or device event carried that could not be read (``ignoredFields``): their shape
    is unpublished, so this is how a change of it is seen. One count per field, by kind."""
    ignored = result.record.get("ignoredFields")
    if not ignored:
        return
    _dimensioned(names.IGNORED_EVENT_FIELDS, MetricUnit.Count, len(ignored), names.KIND_DIMENSION, result.kind)
    logger.warning("Event fields ignored", extra={"kind": result.kind, "ignoredFields": list(ignored)})


def record_budgets(result: ProcessingResult) -> None:
    """What the budget step did for this event (nothing is emitted when it changed nothing)."""
    report = result.budgets
    if report is None:
        return
    if report.totals_updated:
        metrics.add_metric(name=names.BUDGET_UPDATES, unit=MetricUnit.Count, value=report.totals_updated)
    if report.thresholds_announced:
        count = len(report.thresholds_announced)
        metrics.add_metric(name=names.BUDGET_THRESHOLDS_CROSSED, unit=MetricUnit.Count, value=count)
    if report.newly_unpriced:
        metrics.add_metric(name=names.UNPRICED_TASKS_IN_BUDGETS, unit=MetricUnit.Count, value=report.newly_unpriced)


_ENDED_TASK_STATUSES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})


def record_task_spend(result: ProcessingResult) -> None:
    """An ended task's estimated cost, once (its ending event, not a duplicate), by device and by creator;
    or, when its price is unknown, one count of UnpricedTasks. The metric is a float; records keep strings."""
    record = result.record
    if (
        result.kind != registry.TASK.name
        or result.source != "stateChange"
        or result.outcome.is_duplicate
        or record.get("status") not in _ENDED_TASK_STATUSES
        or not isinstance(record.get("estimatedCost"), dict)
    ):
        return
    amount = record["estimatedCost"].get("amountUsd")
    if amount is None:
        metrics.add_metric(name=names.UNPRICED_TASKS, unit=MetricUnit.Count, value=1)
        return
    creator = str((record.get("createdBy") or {}).get("principal") or "unknown")
    spend = float(amount)
    _dimensioned(names.ESTIMATED_SPEND, MetricUnit.NoUnit, spend, names.DEVICE_DIMENSION, record_device_label(record))
    _dimensioned(names.ESTIMATED_SPEND, MetricUnit.NoUnit, spend, names.CREATOR_DIMENSION, creator)


def record_unjoined_call(event_name: str, reason: str) -> None:
    """A CloudTrail call with nothing to join (it failed, so it created or cancelled nothing)."""
    metrics.add_metric(name=names.UNJOINED_API_CALLS, unit=MetricUnit.Count, value=1)
    logger.info("API call not joined", extra={"eventName": event_name, "reason": reason})


def record_kept_unjoined_call(record: Any) -> None:
    """A call kept in its target's history but never joined: its arrival cannot vouch for it
    (README, "Trust model"). Counted by how it came, and logged as a warning: it should not happen."""
    arrival = record.get(ARRIVAL_FIELD)
    via = str(arrival.get("via", "unknown")) if isinstance(arrival, dict) else "unknown"
    _dimensioned(names.KEPT_UNJOINED_API_CALLS, MetricUnit.Count, 1, names.ARRIVAL_DIMENSION, via)
    logger.warning(
        "API call kept unjoined: its arrival cannot vouch for the caller",
        extra={"eventName": record.get("eventName"), "arrival": arrival},
    )


def _unjoined_reason(record: Any) -> str:
    error = record.get("errorCode")
    return f"the call failed ({error}): nothing was created or cancelled" if error else "no target to join"


def record_price_table_fallback(reason: str) -> None:
    """The stored price table could not be used (absent or unreadable): one log line and one metric."""
    metrics.add_metric(name=names.PRICE_TABLE_FALLBACKS, unit=MetricUnit.Count, value=1)
    logger.warning("Stored price table not used", extra={"reason": reason})


class QueueTelemetry:
    """Logs and metrics for each message of an SQS batch (the intake's observer)."""

    def begin(self, message_id: str, event: Any) -> None:
        event_id = event.get("id") if isinstance(event, dict) else None
        # Unvalidated yet: only an id-shaped value goes into every log line (never a 100 KB "id").
        logger.set_correlation_id(event_id if is_event_id(event_id) else message_id)

    def processed(self, result: ProcessingResult) -> None:
        record_result(result)

    def rejected(self, rejection: Rejection) -> None:
        if isinstance(rejection.error, RequestRefusedError):
            record_refused_request(rejection.error, rejection.message_id)
        else:
            record_invalid_event(rejection.error, rejection.message_id)

    def failed(self, message_id: str, error: Exception) -> None:
        metrics.add_metric(name=names.FAILED_EVENTS, unit=MetricUnit.Count, value=1)
        details = {"messageId": message_id, "errorType": type(error).__name__}
        if isinstance(error, NotificationInProgressError):  # expected under duplicates; retried later
            logger.warning(f"Event left for a redelivery: {error}", extra=details)
        else:
            logger.exception("Event failed; SQS will redeliver it", extra=details)

    def deferred(self, message_ids: Sequence[str]) -> None:
        metrics.add_metric(name=names.FAILED_EVENTS, unit=MetricUnit.Count, value=len(message_ids))
        logger.warning(
            "Too little time left in this invocation; events left for a redelivery",
            extra={"messageIds": list(message_ids)},
        )


def _dimensioned(name: str, unit: MetricUnit, value: float, dimension: str, dimension_value: str) -> None:
    metrics.single_metric(name, unit, value, {dimension: dimension_value})
