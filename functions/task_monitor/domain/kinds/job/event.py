"""Parse and validate a ``Braket Job State Change`` event before anything is called or written.

Only ``jobArn`` and ``status`` are seen in public code (docs/braket-events.md, section 1); every other
detail field is inferred. So those two are required and checked strictly, and the rest are taken
when present and of the right type, never required: GetJob is the authority for the job's details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from task_monitor.domain.arns import JobArn, parse_job_arn
from task_monitor.domain.detail_types import JOB_STATE_CHANGE
from task_monitor.domain.status import JOB_LIFECYCLE, is_status_shaped
from task_monitor.domain.validation import instant, optional_text, parse_envelope, quote_value
from task_monitor.errors import InvalidEventError

JOB_ARN_FIELD = "detail.jobArn"
JOB_ARN_SHAPE = "arn:aws:braket:<region>:<account>:job/<id>"  # a UUID; older ARNs end in the job's name


@dataclass(frozen=True)
class JobStateChange:
    """A validated job event, with times normalized to fixed-width UTC."""

    event_id: str
    event_time: str
    event_region: str | None
    job: JobArn
    status: str
    created_at: str | None
    started_at: str | None
    ended_at: str | None
    job_name: str | None
    device: str | None  # detail.deviceArn or detail.device: an ARN, or a local simulator's name
    failure_reason: str | None
    event_name: str | None

    @property
    def known_status(self) -> bool:
        return self.status in JOB_LIFECYCLE.statuses


def parse_job_event(event: Any) -> JobStateChange:
    """Validate an EventBridge job event; raise InvalidEventError naming the field otherwise."""
    envelope = parse_envelope(event, JOB_STATE_CHANGE)
    detail = envelope.detail
    job = _job_arn(detail, event.get("resources"))
    status = detail.get("status")
    if not is_status_shaped(status):
        raise InvalidEventError("detail.status", f"{quote_value(status)} is not a Braket job status")
    assert isinstance(status, str)
    device = optional_text(detail, "deviceArn", "detail.deviceArn")
    if device is None:
        device = optional_text(detail, "device", "detail.device")
    return JobStateChange(
        event_id=envelope.event_id,
        event_time=envelope.event_time,
        event_region=envelope.region,
        job=job,
        status=status,
        created_at=instant(detail.get("createdAt"), "detail.createdAt"),
        started_at=instant(detail.get("startedAt"), "detail.startedAt"),
        ended_at=instant(detail.get("endedAt"), "detail.endedAt"),
        job_name=_non_blank(optional_text(detail, "jobName", "detail.jobName")),
        device=_non_blank(device),
        failure_reason=_non_blank(optional_text(detail, "failureReason", "detail.failureReason")),
        event_name=_non_blank(optional_text(detail, "eventName", "detail.eventName")),
    )


def _job_arn(detail: dict[str, Any], resources: object) -> JobArn:
    """``detail.jobArn``; when the detail has none, the one job ARN the envelope's ``resources`` names.

    EventBridge's ``resources`` lists the ARNs an AWS service event is about, so a job event naming
    exactly one job there is unambiguous, and rejecting it would lose a real job's state change. A
    ``jobArn`` that is present but malformed is rejected, never replaced from ``resources``.
    """
    value = detail.get("jobArn")
    if value is None:
        named = (
            [parse_job_arn(item) for item in resources if isinstance(item, str)] if isinstance(resources, list) else []
        )
        jobs = {job.arn: job for job in named if job is not None}
        if len(jobs) == 1:
            return next(iter(jobs.values()))
        found = "several job ARNs" if jobs else "none"
        raise InvalidEventError(JOB_ARN_FIELD, f"missing, and resources names {found} to take instead")
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(JOB_ARN_FIELD, "missing or not a non-empty string")
    job = parse_job_arn(value)
    if job is None:
        raise InvalidEventError(JOB_ARN_FIELD, f"{quote_value(value)} is not a hybrid job ARN ({JOB_ARN_SHAPE})")
    return job


def _non_blank(value: str | None) -> str | None:
    """An empty or blank optional field says nothing: treat it as absent."""
    return value if value is not None and value.strip() else None
