"""Parse and validate a ``Braket Task State Change`` event before anything is called or written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from task_monitor.domain.arns import DeviceArn, TaskArn, parse_device_arn, parse_task_arn
from task_monitor.domain.detail_types import TASK_STATE_CHANGE
from task_monitor.domain.status import KNOWN_STATUSES, is_status_shaped
from task_monitor.domain.validation import (
    instant,
    invalid_arn,
    optional_text,
    parse_envelope,
    quote_value,
    required_text,
)
from task_monitor.errors import InvalidEventError

MAX_SHOTS = 1_000_000_000  # far above any device's limit; keeps numbers DynamoDB can store
EVENT_DETAIL_TYPE = TASK_STATE_CHANGE


@dataclass(frozen=True)
class TaskStateChange:
    """A validated task event, with times normalized to fixed-width UTC."""

    event_id: str
    event_time: str
    event_region: str | None
    task: TaskArn
    status: str
    device: DeviceArn
    shots: int
    created_at: str | None
    ended_at: str | None
    output_s3_bucket: str | None
    output_s3_directory: str | None
    event_name: str | None

    @property
    def known_status(self) -> bool:
        return self.status in KNOWN_STATUSES


def parse_task_event(event: Any) -> TaskStateChange:
    """Validate an EventBridge event; raise InvalidEventError naming the field otherwise."""
    envelope = parse_envelope(event, EVENT_DETAIL_TYPE)
    detail = envelope.detail

    task_arn_text = required_text(detail, "quantumTaskArn", "detail.quantumTaskArn")
    task = parse_task_arn(task_arn_text)
    if task is None:
        raise invalid_arn(
            "detail.quantumTaskArn",
            task_arn_text,
            "a quantum-task ARN (arn:aws:braket:<region>:<account>:quantum-task/<id>)",
        )
    status = detail.get("status")
    if not isinstance(status, str) or not is_status_shaped(status):
        raise InvalidEventError("detail.status", f"{quote_value(status)} is not a Braket task status")
    device_arn_text = required_text(detail, "deviceArn", "detail.deviceArn")
    device = parse_device_arn(device_arn_text)
    if device is None:
        raise invalid_arn("detail.deviceArn", device_arn_text, "a Braket device ARN")

    return TaskStateChange(
        event_id=envelope.event_id,
        event_time=envelope.event_time,
        event_region=envelope.region,
        task=task,
        status=status,
        device=device,
        shots=_shots(detail.get("shots")),
        created_at=instant(detail.get("createdAt"), "detail.createdAt"),
        ended_at=instant(detail.get("endedAt"), "detail.endedAt"),
        output_s3_bucket=optional_text(detail, "outputS3Bucket", "detail.outputS3Bucket"),
        output_s3_directory=optional_text(detail, "outputS3Directory", "detail.outputS3Directory"),
        event_name=optional_text(detail, "eventName", "detail.eventName"),
    )


def _shots(value: object) -> int:
    """Real events carry shots as a string ("1000"); the documentation says integer. Take both."""
    if isinstance(value, bool):
        raise InvalidEventError("detail.shots", "expected a whole number, got a boolean")
    if isinstance(value, int):
        shots = value
    elif isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        if len(value.strip().lstrip("0")) > len(str(MAX_SHOTS)):  # int() raises ValueError past 4,300 digits
            raise InvalidEventError("detail.shots", f"{quote_value(value)} is outside 0..{MAX_SHOTS}")
        shots = int(value.strip())
    else:
        raise InvalidEventError("detail.shots", f"{quote_value(value)} is not a whole number (string or integer)")
    if not 0 <= shots <= MAX_SHOTS:
        raise InvalidEventError("detail.shots", f"{quote_value(shots)} is outside 0..{MAX_SHOTS}")
    return shots
