"""Render a hybrid job's record as an SNS notification: a subject to scan, an email to read, JSON for machines."""

from __future__ import annotations

from typing import Any

from task_monitor.domain.arns import parse_device_arn
from task_monitor.domain.callers import describe_caller
from task_monitor.domain.cost.display import cost_attributes, cost_line
from task_monitor.domain.kinds.job.name import job_label
from task_monitor.domain.kinds.job.record import JobRecord, SecondsSummary, TaskSummary
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
from task_monitor.domain.registry import JOB
from task_monitor.domain.status import JOB_LIFECYCLE


def render_job_notification(record: JobRecord) -> Notification:
    return compose(
        kind=JOB.name,
        record=record,
        subject=render_job_subject(record),
        email_text=render_job_email(record),
        attributes=job_message_attributes(record),
        console_url=job_console_url(record["jobArn"], record["region"]),
    )


def render_job_subject(record: JobRecord) -> str:
    """ "Braket job COMPLETED: vqe-h2-run-7, 12 tasks", or "...: job acc51817, ..." when the name is
    unknown (ASCII, under 100 characters)."""
    count = record.get("taskSummary", {}).get("count", 0)
    label = job_label(record.get("jobName"), record["jobArn"])
    return ascii_subject(f"Braket job {record['status']}: {label}, {_plural(count, 'task')}")


def render_job_email(record: JobRecord) -> str:
    """A plain-text email, one fact a line, only the lines that have something to say."""
    timings = record.get("timings", {})
    cancelled = record["status"] == "CANCELLED" or "cancelledBy" in record
    lines: list[tuple[str, str | None]] = [
        ("Job", record["jobArn"]),
        ("Name", record.get("jobName") or f"unknown ({job_label(None, record['jobArn'])})"),
        ("Status", _status_line(record)),
        ("Failure", record.get("failureReason")),
        ("Device", _device_line(record)),
        ("Instance", _instance_line(record.get("instanceConfig"))),
        ("Billable duration", _billable_line(record.get("billableDuration"))),
        ("Created by", describe_caller(record.get("createdBy"))),
        ("Cancelled by", describe_caller(record.get("cancelledBy")) if cancelled else None),
        ("Tasks", _tasks_line(record.get("taskSummary"))),
        ("Shots", _shots_line(record.get("taskSummary"))),
        ("Task queue time", _seconds_line(record.get("taskSummary", {}).get("queuedSeconds"))),
        ("Task run time", _seconds_line(record.get("taskSummary", {}).get("runningSeconds"))),
        ("Time queued", format_duration(timings.get("queuedSeconds"))),
        ("Time running", format_duration(timings.get("runningSeconds"))),
        ("Total time", format_duration(timings.get("totalSeconds"))),
        ("Last job event", _last_event_line(record.get("events"))),
        ("Reservation", ", ".join(a["arn"] for a in record.get("associations", []) if a.get("arn")) or None),
        ("Tags", ", ".join(f"{k}={v}" for k, v in sorted(record.get("tags", {}).items())) or None),
        ("Created", record.get("createdAt")),
        ("Started", record.get("startedAt")),
        ("Ended", record.get("endedAt")),
        ("Output", record.get("outputS3Path")),
        ("Region", record["region"]),
        ("Console", job_console_url(record["jobArn"], record["region"])),
    ]
    notes = [line] if (line := cost_line(record.get("estimatedCost"))) else []
    if "enrichmentError" in record:
        error = record["enrichmentError"]
        notes.append(f"Note: details from GetJob are missing ({error['code']}: {error['message']}).")
    if "taskSummary" in record:
        notes.append("Tasks are counted as the audit log held them when this event was processed.")
    footer = f"Event {record['eventId']} at {record['eventTime']}."
    return compose_email(f"Amazon Braket hybrid job {record['status']}", lines, notes, footer)


def job_message_attributes(record: JobRecord) -> dict[str, dict[str, str]]:
    """Attributes for subscription filter policies (after ``kind``): status, job, device and tags."""
    attributes = {
        "status": string_attribute(record["status"]),
        "jobArn": string_attribute(record["jobArn"]),
    }
    if record.get("deviceArn"):
        attributes["deviceArn"] = string_attribute(record["deviceArn"])
    if record.get("tags"):
        attributes["tags"] = tags_attribute(record["tags"])
    attributes.update(cost_attributes(record.get("estimatedCost")))
    return attributes


def job_console_url(job_arn: str, region: str) -> str:
    return braket_console_url(region, f"jobs/{job_arn}")


def _device_line(record: JobRecord) -> str | None:
    """ "ionq/Forte-1 (arn:...)" as in task emails; a local simulator's name as the job gave it."""
    device_arn = record.get("deviceArn")
    device = parse_device_arn(device_arn) if device_arn else None
    if device is not None:
        return f"{device.label} ({device.arn})"
    return device_arn or record.get("deviceConfig", {}).get("device")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _status_line(record: JobRecord) -> str:
    reported = record.get("statusAtEnrichment")
    if not reported or reported == record["status"]:
        return record["status"]
    if JOB_LIFECYCLE.rank(reported) > JOB_LIFECYCLE.rank(record["status"]):
        return f"{record['status']} (Braket already reports {reported}: this event arrived late)"
    return f"{record['status']} (Braket still reported {reported} when asked; details may be incomplete)"


def _instance_line(instance: dict[str, Any] | None) -> str | None:
    if not instance or not instance.get("instanceType"):
        return None
    line = f"{instance['instanceType']} x {instance.get('instanceCount', 1)}"
    return f"{line}, {instance['volumeSizeInGb']} GB volume" if instance.get("volumeSizeInGb") else line


def _billable_line(duration: int | None) -> str | None:
    """GetJob's documentation gives no unit for billableDuration: show the number as reported."""
    return None if duration is None else f"{duration} (as GetJob reports it)"


def _tasks_line(summary: TaskSummary | None) -> str | None:
    if summary is None:
        return None
    if not summary["count"]:
        return "none recorded"
    states = ", ".join(f"{count} {status}" for status, count in summary["byStatus"].items())
    return f"{summary['count']} ({states})"


def _shots_line(summary: TaskSummary | None) -> str | None:
    if not summary or "shotsRequested" not in summary:
        return None
    line = f"{summary['shotsRequested']} requested"
    return f"{line}, {summary['successfulShots']} successful" if "successfulShots" in summary else line


def _seconds_line(seconds: SecondsSummary | None) -> str | None:
    if not seconds:
        return None
    return (
        f"{format_duration(seconds['total'])} in all, {format_duration(seconds['mean'])} on average "
        f"(over {_plural(seconds['tasks'], 'task')})"
    )


def _last_event_line(events: list[Any] | None) -> str | None:
    if not events:
        return None
    last = max(events, key=lambda event: event.get("timeOfEvent", ""))
    message = f": {last['message']}" if last.get("message") else ""
    return f"{last.get('eventType', '?')} at {last.get('timeOfEvent', '?')}{message}"
