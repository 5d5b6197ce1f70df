"""Render a task record as an SNS notification: a subject to scan, an email to read, JSON for machines."""

from __future__ import annotations

from typing import Any, cast

from task_monitor.domain.arns import record_device_label
from task_monitor.domain.callers import CANCEL_STATUSES, describe_caller, principal_of
from task_monitor.domain.cost.display import cost_attributes, cost_line
from task_monitor.domain.derived import with_derived
from task_monitor.domain.kinds.task.record import QueueInfo, TaskRecord
from task_monitor.domain.notification_model import (
    Notification,
    ascii_subject,
    braket_console_url,
    compose,
    compose_email,
    format_duration,
    string_attribute,
    tags_attribute,
)
from task_monitor.domain.registry import TASK
from task_monitor.domain.status import rank


def render_notification(stored: TaskRecord) -> Notification:
    """The notification of a task record, whole (as built) or as stored (its derived fields put back)."""
    record = cast(TaskRecord, with_derived(stored))
    return compose(
        kind=TASK.name,
        record=record,
        subject=render_subject(record),
        email_text=render_email(record),
        attributes=message_attributes(record),
        console_url=console_url(record["quantumTaskArn"], record["region"]),
    )


def render_subject(record: TaskRecord) -> str:
    subject = f"Braket task {record['status']}: {record_device_label(record)}, task {record['taskId'][:8]}"
    return ascii_subject(subject)


def render_email(record: TaskRecord) -> str:
    """A plain-text email, one fact a line, only the lines that have something to say."""
    timings = record.get("timings", {})
    queue: QueueInfo = record.get("queueInfo") or {}
    lines: list[tuple[str, str | None]] = [
        ("Task", record["quantumTaskArn"]),
        ("Status", _status_line(record)),
        ("Device", f"{record_device_label(record)} ({record['deviceArn']})"),
        ("Region", record["region"]),
        ("Shots", _shots_line(record)),
        ("Failure", record.get("failureReason")),
        ("Queue", _queue_line(queue)),
        ("Time queued", format_duration(timings.get("queuedSeconds"))),
        ("Time running", format_duration(timings.get("runningSeconds"))),
        ("Total time", format_duration(timings.get("totalSeconds"))),
        ("Program set", _program_set_line(record.get("actionMetadata"))),
        ("Hybrid job", record.get("jobArn")),
        ("Reservation", ", ".join(a["arn"] for a in record.get("associations", []) if a.get("arn")) or None),
        ("Tags", ", ".join(f"{k}={v}" for k, v in sorted(record.get("tags", {}).items())) or None),
        ("Created by", describe_caller(record.get("createdBy"))),
        ("Cancelled by", describe_caller(record.get("cancelledBy")) if record["status"] in CANCEL_STATUSES else None),
        ("Created", record.get("createdAt")),
        ("Ended", record.get("endedAt")),
        ("Results", record.get("resultsUri")),
        ("Console", console_url(record["quantumTaskArn"], record["region"])),
    ]
    notes = [line] if (line := cost_line(record.get("estimatedCost"))) else []
    if "enrichmentError" in record:
        error = record["enrichmentError"]
        notes.append(f"Note: details from GetQuantumTask are missing ({error['code']}: {error['message']}).")
    footer = f"Event {record['eventId']} at {record['eventTime']}."
    return compose_email(f"Amazon Braket task {record['status']}", lines, notes, footer)


def message_attributes(record: TaskRecord) -> dict[str, dict[str, str]]:
    """Attributes for subscription filter policies (after ``kind``): status, device, provider, job, tags and
    who created (and cancelled) the task, by principal (``unknown`` until CloudTrail's call is received), and
    the estimated cost in USD as a Number (``estimatedCostUsd``, when the price is known)."""
    attributes = {
        "status": string_attribute(record["status"]),
        "deviceArn": string_attribute(record["deviceArn"]),
        "provider": string_attribute(record["deviceProvider"]),
    }
    if record.get("jobArn"):
        attributes["jobArn"] = string_attribute(record["jobArn"])
    if record.get("tags"):
        attributes["tags"] = tags_attribute(record["tags"])
    attributes["createdBy"] = string_attribute(principal_of(record.get("createdBy")))
    if record["status"] in CANCEL_STATUSES:
        attributes["cancelledBy"] = string_attribute(principal_of(record.get("cancelledBy")))
    attributes.update(cost_attributes(record.get("estimatedCost")))
    return attributes


def console_url(task_arn: str, region: str) -> str:
    return braket_console_url(region, f"tasks/{task_arn}")


def _status_line(record: TaskRecord) -> str:
    reported = record.get("statusAtEnrichment")
    if not reported or reported == record["status"]:
        return record["status"]
    if rank(reported) > rank(record["status"]):
        return f"{record['status']} (Braket already reports {reported}: this event arrived late)"
    return f"{record['status']} (Braket still reported {reported} when asked; details may be incomplete)"


def _shots_line(record: TaskRecord) -> str:
    successful = record.get("numSuccessfulShots")
    if successful is None:
        return f"{record['shots']} requested"
    return f"{record['shots']} requested, {successful} successful"


def _queue_line(queue: QueueInfo) -> str | None:
    if not queue:
        return None
    position = queue.get("position")
    name = queue.get("queue", "queue")
    if queue.get("queuePriority"):
        name += f" ({queue['queuePriority']})"
    return f"{name}, position {position}" if position and position != "None" else f"{name}, not queued now"


def _program_set_line(action: dict[str, Any] | None) -> str | None:
    if not action or action.get("programCount") is None:
        return None
    return f"{action['programCount']} programs, {action.get('executableCount', '?')} executables"
