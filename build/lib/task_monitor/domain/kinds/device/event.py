"""Parse a ``Braket Device Status Change`` or ``Braket QPU Status Change`` event, tolerantly.

AWS documents that both detail-types exist but publishes no field list (docs/braket-events.md §2),
so only what the audit cannot do without is required: a device ARN (``detail.deviceArn``, else the
one device ARN in ``resources``) and a status (``detail.status``, else ``detail.deviceStatus``; an
ASCII word in any case, kept in upper case). A few descriptive fields are kept when present and well
formed; one that is present but malformed is dropped and named in ``ignored_fields`` (so a shape change
shows in the record and a metric); anything else in the detail is not read, never stored, so an
unexpected payload cannot grow the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from task_monitor.domain.arns import DeviceArn, parse_device_arn
from task_monitor.domain.registry import DEVICE
from task_monitor.domain.status import DEVICE_LIFECYCLE
from task_monitor.domain.validation import (
    OptionalFields,
    invalid_arn,
    over_long_entries,
    parse_envelope,
    quote_value,
    status_in_any_case,
)
from task_monitor.errors import InvalidEventError

DEVICE_DETAIL_TYPES = DEVICE.detail_types  # Device Status Change, and the older QPU Status Change
DEVICE_ARN_SHAPE = "arn:aws:braket:<region>::device/<type>/<provider>/<name>"

# Status field names, in the order they are looked for: the event's own name first, then GetDevice's.
STATUS_FIELDS = ("status", "deviceStatus")

# Descriptive detail fields kept when present (GetDevice's names; their presence in events is a guess).
# Text longer than this, or of another type, is dropped (and named) rather than rejected: the shape is unknown.
KEPT_TEXT_FIELDS = ("deviceName", "providerName", "deviceType")
MAX_KEPT_TEXT = 128
# GetDevice's availability windows ({executionDay, windowStartHour, windowEndHour}); kept when small.
EXECUTION_WINDOWS = "executionWindows"
EXECUTION_WINDOW_KEYS = frozenset({"executionDay", "windowStartHour", "windowEndHour"})
MAX_EXECUTION_WINDOWS = 14
MAX_WINDOW_VALUE = 32


@dataclass(frozen=True)
class DeviceStatusChange:
    """A validated device event, with its time normalized to fixed-width UTC."""

    event_id: str
    event_time: str
    event_region: str | None
    detail_type: str
    device: DeviceArn
    status: str
    # The allow-listed descriptive fields the event carried (possibly none).
    details: dict[str, Any]
    # Allow-listed fields present but dropped for their type or form, by path, sorted.
    ignored_fields: tuple[str, ...] = ()

    @property
    def known_status(self) -> bool:
        return self.status in DEVICE_LIFECYCLE.statuses


def parse_device_event(event: Any, detail_type: str) -> DeviceStatusChange:
    """Validate a device event of ``detail_type``; raise InvalidEventError naming the field otherwise."""
    if detail_type not in DEVICE_DETAIL_TYPES:
        raise ValueError(f"{detail_type!r} is not a device detail-type")
    envelope = parse_envelope(event, detail_type)
    device = _device(envelope.detail, event.get("resources"))
    status = _status(envelope.detail)
    optional = OptionalFields()
    return DeviceStatusChange(
        event_id=envelope.event_id,
        event_time=envelope.event_time,
        event_region=envelope.region,
        detail_type=detail_type,
        device=device,
        status=status,
        details=_kept_details(envelope.detail, optional),
        ignored_fields=optional.ignored,
    )


def _device(detail: dict[str, Any], resources: object) -> DeviceArn:
    """``detail.deviceArn`` when the event has one; otherwise the single device ARN in ``resources``."""
    value = detail.get("deviceArn")
    if value is not None:
        if not isinstance(value, str):
            raise InvalidEventError(
                "detail.deviceArn", f"{quote_value(value)} is not a Braket device ARN ({DEVICE_ARN_SHAPE})"
            )
        device = parse_device_arn(value)
        if device is None:
            raise invalid_arn("detail.deviceArn", value, f"a Braket device ARN ({DEVICE_ARN_SHAPE})")
        return device
    if not isinstance(resources, list):
        raise InvalidEventError("detail.deviceArn", "missing, and resources is not a list of ARNs to take it from")
    devices = {
        found.arn: found
        for found in (parse_device_arn(entry) for entry in resources if isinstance(entry, str))
        if found is not None
    }
    if len(devices) != 1:
        raise InvalidEventError(
            "detail.deviceArn",
            f"missing, and resources name {len(devices)} device ARNs instead of exactly one"
            + over_long_entries(resources),
        )
    (device,) = devices.values()
    return device


def _status(detail: dict[str, Any]) -> str:
    """The first status field present, in upper case; it must be a word (an unknown one is still audited)."""
    for name in STATUS_FIELDS:
        value = detail.get(name)
        if value is None:
            continue
        status = status_in_any_case(value)
        if status is None:
            raise InvalidEventError(
                f"detail.{name}", f"{quote_value(value)} is not a device status (a word such as OFFLINE, in any case)"
            )
        return status
    raise InvalidEventError("detail.status", "missing (neither detail.status nor detail.deviceStatus is present)")


def _kept_details(detail: dict[str, Any], optional: OptionalFields) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name in KEPT_TEXT_FIELDS:
        text = optional.text(detail, name, f"detail.{name}", limit=MAX_KEPT_TEXT)
        if text is not None:
            kept[name] = text
    value = detail.get(EXECUTION_WINDOWS)
    windows = _execution_windows(value)
    if windows:
        kept[EXECUTION_WINDOWS] = windows
    elif value is not None and value != []:
        optional.ignore(f"detail.{EXECUTION_WINDOWS}")
    return kept


def _execution_windows(value: object) -> list[dict[str, str]] | None:
    """Availability windows when they look like GetDevice's; anything else is dropped whole."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_EXECUTION_WINDOWS:
        return None
    windows = []
    for window in value:
        if not isinstance(window, dict) or not window or not set(window) <= EXECUTION_WINDOW_KEYS:
            return None
        kept = {key: _kept_text(text, MAX_WINDOW_VALUE) for key, text in window.items()}
        if any(text is None for text in kept.values()):
            return None
        windows.append({key: text for key, text in kept.items() if text is not None})
    return windows


def _kept_text(value: object, limit: int) -> str | None:
    """Short, non-blank text DynamoDB and SNS can take; None for anything else."""
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate from a JSON escape
        return None
    return value
