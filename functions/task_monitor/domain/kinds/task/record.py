"""Build the audit record: the event's facts, what GetQuantumTask adds, and what we derive.

The record uses the Braket API's own field names and holds only plain JSON values, so it is
what DynamoDB stores, what the read API returns and what machine subscribers receive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Required, TypedDict, cast

from task_monitor.domain.arrival import ArrivalField, stored_arrival_dates_its_status
from task_monitor.domain.callers import Caller, is_known, principal_only
from task_monitor.domain.derived import results_uri
from task_monitor.domain.enrichment import EnrichmentErrorInfo, EnrichmentFailure, Timings, to_plain
from task_monitor.domain.kinds.task.event import TaskStateChange
from task_monitor.domain.status import is_terminal
from task_monitor.domain.timefmt import seconds_between

if TYPE_CHECKING:
    from task_monitor.domain.cost.estimate import EstimatedCost
    from task_monitor.domain.cost.price_table import PriceTable

# Fields copied from GetQuantumTask as they are (after making times plain strings).
ENRICHMENT_FIELDS = (
    "queueInfo",
    "actionMetadata",
    "associations",
    "failureReason",
    "jobArn",
    "tags",
    "numSuccessfulShots",
    "experimentalCapabilities",
)


class QueueInfo(TypedDict, total=False):
    """GetQuantumTask's ``queueInfo``: ``position`` is a string ("17", ">2000" or "None")."""

    queue: str
    position: str
    queuePriority: str
    message: str


class TaskRecord(TypedDict, total=False):
    """One audit record of a quantum task: a history entry, or the latest state (docs/record-format.md)."""

    # From the event, always present
    eventId: Required[str]
    eventTime: Required[str]
    quantumTaskArn: Required[str]
    taskId: Required[str]
    status: Required[str]
    deviceArn: Required[str]
    shots: Required[int]
    accountId: Required[str]
    region: Required[str]
    deviceProvider: Required[str]
    deviceName: Required[str]
    deviceType: Required[str]
    # From the event when it has them
    eventName: str
    outputS3Bucket: str
    outputS3Directory: str
    createdAt: str
    endedAt: str
    resultsUri: str
    # From GetQuantumTask when it has them
    queueInfo: QueueInfo
    actionMetadata: dict[str, Any]
    associations: list[dict[str, str]]
    failureReason: str
    jobArn: str
    tags: dict[str, str]
    numSuccessfulShots: int
    experimentalCapabilities: dict[str, Any]
    statusAtEnrichment: str
    enrichedAt: str
    # Derived
    enrichmentError: EnrichmentErrorInfo
    timings: Timings
    # A completed simulator task's executionDuration from its result object, with the option on:
    # {"durationMs": 1234} or {"unreadable": "why"}
    simulatorExecution: dict[str, Any]
    # What the task costs at list price, as far as this event tells (domain.cost, docs/costs.md)
    estimatedCost: EstimatedCost
    # Joined from CloudTrail calls, when received (the latest state says "unknown" until then)
    createdBy: Caller
    cancelledBy: Caller
    # How the event reached the function (domain.arrival)
    arrival: ArrivalField


def build_record(
    change: TaskStateChange,
    description: dict[str, Any] | None,
    *,
    enrichment_failure: EnrichmentFailure | None = None,
    running_since: str | None = None,
    enriched_at: str | None = None,
    created_by: Caller | None = None,
    cancelled_by: Caller | None = None,
    arrival: ArrivalField | None = None,
    prices: PriceTable | None = None,
    simulator_execution: dict[str, Any] | None = None,
) -> TaskRecord:
    """Merge one event with the task's description into the record that is stored and announced.

    ``running_since`` is the time of the task's RUNNING event if one was seen; it splits a
    finished task's total time into time queued and time running. ``created_by`` and
    ``cancelled_by`` are the callers joined from CloudTrail so far, kept when known. ``arrival``
    says how the event reached the function (``domain.arrival``). With ``prices`` the record carries its
    ``estimatedCost`` (``domain.cost.estimate``), worked out from the record as built;
    ``simulator_execution`` is what the result object said of a simulator's execution time (an option).
    """
    record: dict[str, Any] = {
        "eventId": change.event_id,
        "eventTime": change.event_time,
        "eventName": change.event_name,
        "quantumTaskArn": change.task.arn,
        "taskId": change.task.task_id,
        "status": change.status,
        "deviceArn": change.device.arn,
        "shots": change.shots,
        "outputS3Bucket": change.output_s3_bucket,
        "outputS3Directory": change.output_s3_directory,
        "createdAt": change.created_at,
        "endedAt": change.ended_at,
        "accountId": change.task.account,
        "region": change.task.region,
        "deviceProvider": change.device.provider,
        "deviceName": change.device.name,
        "deviceType": change.device.kind,
        "resultsUri": results_uri(change.output_s3_bucket, change.output_s3_directory),
        "arrival": arrival,
        "simulatorExecution": simulator_execution,
    }
    if description is not None:
        plain = to_plain(description)
        for field in ENRICHMENT_FIELDS:
            if plain.get(field) is not None:
                record[field] = plain[field]
        # The API's status at the time we asked: later than the event's when the event was late.
        record["statusAtEnrichment"] = plain.get("status")
        record["createdAt"] = record["createdAt"] or plain.get("createdAt")
        if is_terminal(change.status):
            record["endedAt"] = record["endedAt"] or plain.get("endedAt")
        record["enrichedAt"] = enriched_at
    if enrichment_failure is not None:
        record["enrichmentError"] = {
            "code": enrichment_failure.code,
            "message": enrichment_failure.message,
        }
    timings = derive_timings(
        change, record["createdAt"], record["endedAt"], running_since, dated=stored_arrival_dates_its_status(record)
    )
    if timings:
        record["timings"] = timings
    if is_known(created_by):  # who, not the person's details (domain/callers.py)
        record["createdBy"] = principal_only(created_by)  # type: ignore[arg-type]
    if is_known(cancelled_by):
        record["cancelledBy"] = principal_only(cancelled_by)  # type: ignore[arg-type]
    built = {key: value for key, value in record.items() if value is not None}
    if prices is not None:
        from task_monitor.domain.cost.estimate import estimate_task_cost  # with the prices, on the first event

        built["estimatedCost"] = estimate_task_cost(built, prices)
    return cast(TaskRecord, built)


def derive_timings(
    change: TaskStateChange,
    created_at: str | None,
    ended_at: str | None,
    running_since: str | None,
    *,
    dated: bool = True,
) -> dict[str, float]:
    """Seconds queued, running and in all, as far as this event and the history tell. A RUNNING event
    that is not ``dated`` (a backfill's) says the task runs, not since when: it starts nothing."""
    started = change.event_time if change.status == "RUNNING" and dated else running_since
    timings = {
        "queuedSeconds": seconds_between(created_at, started),
        "runningSeconds": seconds_between(started, ended_at) if is_terminal(change.status) else None,
        "totalSeconds": seconds_between(created_at, ended_at) if is_terminal(change.status) else None,
    }
    return {key: value for key, value in timings.items() if value is not None}
