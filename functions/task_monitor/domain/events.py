"""Parse and validate a ``Braket Task State Change`` event before anything is called or written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from task_monitor.domain.arns import DeviceArn, TaskArn, parse_device_arn, parse_task_arn
from task_monitor.domain.detail_types import EVENT_SOURCE, TASK_STATE_CHANGE
from task_monitor.domain.status import KNOWN_STATUSES, is_status_shaped
from task_monitor.domain.timefmt import normalize_instant
from task_monitor.errors import InvalidEventError

MAX_SHOTS = 1_000_000_000  # far above any device's limit; keeps numbers DynamoDB can store
_EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")  # EventBridge ids are UUIDs
EVENT_DETAIL_TYPE = TASK_STATE_CHANGE
_QUOTED_CHARACTERS = 80  # of an offending value, in an error message (logged, and on the dead-letter queue)


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
    if not isinstance(event, dict):
        raise InvalidEventError("$", f"expected a JSON object, got {type(event).__name__}")
    _expect_equal(event, "source", EVENT_SOURCE)
    _expect_equal(event, "detail-type", EVENT_DETAIL_TYPE)
    event_id = _required_text(event, "id", "id")
    if not is_event_id(event_id):
        raise InvalidEventError(
            "id", f"{quote_value(event_id)} is not an event id (up to 128 letters, digits, - . _ :)"
        )
    event_time = _instant(event.get("time"), "time", required=True)
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise InvalidEventError("detail", "missing or not an object")

    task_arn_text = _required_text(detail, "quantumTaskArn", "detail.quantumTaskArn")
    task = parse_task_arn(task_arn_text)
    if task is None:
        raise InvalidEventError(
            "detail.quantumTaskArn",
            f"{quote_value(task_arn_text)} is not a quantum-task ARN "
            "(arn:aws:braket:<region>:<account>:quantum-task/<id>)",
        )
    status = detail.get("status")
    if not isinstance(status, str) or not is_status_shaped(status):
        raise InvalidEventError("detail.status", f"{quote_value(status)} is not a Braket task status")
    device_arn_text = _required_text(detail, "deviceArn", "detail.deviceArn")
    device = parse_device_arn(device_arn_text)
    if device is None:
        raise InvalidEventError("detail.deviceArn", f"{quote_value(device_arn_text)} is not a Braket device ARN")

    return TaskStateChange(
        event_id=event_id,
        event_time=event_time or "",
        event_region=_optional_text(event, "region", "region"),
        task=task,
        status=status,
        device=device,
        shots=_shots(detail.get("shots")),
        created_at=_instant(detail.get("createdAt"), "detail.createdAt"),
        ended_at=_instant(detail.get("endedAt"), "detail.endedAt"),
        output_s3_bucket=_optional_text(detail, "outputS3Bucket", "detail.outputS3Bucket"),
        output_s3_directory=_optional_text(detail, "outputS3Directory", "detail.outputS3Directory"),
        event_name=_optional_text(detail, "eventName", "detail.eventName"),
    )


def is_event_id(value: object) -> bool:
    """True for a short id such as EventBridge gives events (a UUID); safe to log as a correlation id."""
    return isinstance(value, str) and _EVENT_ID.fullmatch(value) is not None


def quote_value(value: object) -> str:
    """The offending value for an error message, cut short: no payload may reach a log line."""
    if isinstance(value, str):
        head = repr(value[:_QUOTED_CHARACTERS])
        return head if len(value) <= _QUOTED_CHARACTERS else f"{head}... ({len(value)} characters)"
    if isinstance(value, dict | list):
        return "a JSON object" if isinstance(value, dict) else "a JSON array"
    try:
        return repr(value)[:_QUOTED_CHARACTERS]
    except ValueError:  # an int past 4,300 digits has no repr
        return "a number too long to show"


def _encodable(value: str, path: str) -> str:
    """JSON escapes can carry an unpaired surrogate (\\ud800) that DynamoDB and SNS cannot take."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEventError(path, "not valid Unicode (an unpaired surrogate)") from None
    return value


def _expect_equal(event: dict, key: str, expected: str) -> None:
    if event.get(key) != expected:
        raise InvalidEventError(key, f"expected {expected!r}, got {quote_value(event.get(key))}")


def _required_text(container: dict, key: str, path: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(path, "missing or not a non-empty string")
    return _encodable(value, path)


def _optional_text(container: dict, key: str, path: str) -> str | None:
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEventError(path, f"expected a string, got {type(value).__name__}")
    return _encodable(value, path)


def _instant(value: object, path: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    normalized = normalize_instant(value)
    if normalized is None:
        raise InvalidEventError(path, f"{quote_value(value)} is not an ISO-8601 time with a time zone, from 1970 on")
    return normalized


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
