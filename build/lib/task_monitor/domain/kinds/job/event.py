"""Parse and validate a ``Braket Job State Change`` event before anything is called or written.

Only ``jobArn`` and ``status`` are seen in public code (docs/braket-events.md, section 1); every other
detail field is inferred. So only what identifies the change rejects an event: the envelope, the job
ARN and the status (an ASCII word in any case, kept in upper case). Every other field is taken when
present and well formed, and otherwise dropped and named in ``ignored_fields`` (a shape change is seen
in the record and a metric, and the event is not lost): GetJob is the authority for the job's details.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from task_monitor.domain.arns import MAX_ARN_CHARACTERS, JobArn, parse_job_arn
from task_monitor.domain.detail_types import JOB_STATE_CHANGE
from task_monitor.domain.status import JOB_LIFECYCLE
from task_monitor.domain.validation import (
    OptionalFields,
    invalid_arn,
    over_long_entries,
    parse_envelope,
    quote_value,
    status_in_any_case,
)
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
    output_s3_path: str | None = None  # detail.outputDataConfig.s3Path (inferred, as GetJob names it)
    # Optional detail fields present but dropped for their type or form, by path, sorted.
    ignored_fields: tuple[str, ...] = ()

    @property
    def known_status(self) -> bool:
        return self.status in JOB_LIFECYCLE.statuses


def parse_job_event(event: Any) -> JobStateChange:
    """Validate an EventBridge job event; raise InvalidEventError naming the field otherwise."""
    envelope = parse_envelope(event, JOB_STATE_CHANGE)
    detail = envelope.detail
    job = _job_arn(detail, event.get("resources"))
    status = status_in_any_case(detail.get("status"))
    if status is None:
        raise InvalidEventError("detail.status", f"{quote_value(detail.get('status'))} is not a Braket job status")
    optional = OptionalFields()
    # The job's device: an ARN, or a local simulator's name; longer than a Braket ARN, it is not one.
    device = optional.text(detail, "deviceArn", "detail.deviceArn", limit=MAX_ARN_CHARACTERS)
    device_name = optional.text(detail, "device", "detail.device", limit=MAX_ARN_CHARACTERS)
    output = optional.mapping(detail, "outputDataConfig", "detail.outputDataConfig")
    return JobStateChange(
        event_id=envelope.event_id,
        event_time=envelope.event_time,
        event_region=envelope.region,
        job=job,
        status=status,
        created_at=optional.instant(detail, "createdAt", "detail.createdAt"),
        started_at=optional.instant(detail, "startedAt", "detail.startedAt"),
        ended_at=optional.instant(detail, "endedAt", "detail.endedAt"),
        job_name=optional.text(detail, "jobName", "detail.jobName"),
        device=device or device_name,
        failure_reason=optional.text(detail, "failureReason", "detail.failureReason"),
        event_name=optional.text(detail, "eventName", "detail.eventName"),
        output_s3_path=optional.text(output, "s3Path", "detail.outputDataConfig.s3Path"),
        ignored_fields=optional.ignored,
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
        raise InvalidEventError(
            JOB_ARN_FIELD, f"missing, and resources names {found} to take instead" + over_long_entries(resources)
        )
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(JOB_ARN_FIELD, "missing or not a non-empty string")
    job = parse_job_arn(value)
    if job is None:
        raise invalid_arn(JOB_ARN_FIELD, value, f"a hybrid job ARN ({JOB_ARN_SHAPE})")
    return job
