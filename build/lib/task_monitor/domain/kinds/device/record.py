"""The audit record of one device availability event, and what "waiting" and "availability" mean.

Plain JSON values with Braket's field names, so it is what DynamoDB stores (``DEVICE#<deviceArn>``,
one item per event plus the latest state), what ``AuditLog`` returns and what subscribers receive.
"""

from __future__ import annotations

from typing import Any, Required, TypedDict, cast

from task_monitor.domain.arrival import ArrivalField
from task_monitor.domain.kinds.device.event import DeviceStatusChange

# A task waits on its device while its latest status is one of these: it has not started, so it
# cannot run while the device is away. RUNNING and CANCELLING tasks are not counted: they hold no
# place in the queue, and what becomes of them is the task's own notification's business.
WAITING_TASK_STATUSES = ("CREATED", "QUEUED")

# Statuses a person is told about, and which way each one goes.
AVAILABILITY = {"ONLINE": "online", "OFFLINE": "offline", "RETIRED": "offline"}


class DeviceRecord(TypedDict, total=False):
    """One event in a device's availability timeline (or, as ``LATEST``, its availability now)."""

    # From the event, always present
    eventId: Required[str]
    eventTime: Required[str]
    detailType: Required[str]
    deviceArn: Required[str]
    status: Required[str]
    # From the device ARN
    deviceProvider: Required[str]
    deviceName: Required[str]
    deviceType: Required[str]  # "qpu" or "quantum-simulator"
    region: str  # the ARN's; for a region-less simulator, the region the event came from
    # The allow-listed descriptive fields the event carried, as it gave them (see device_events)
    eventDetails: dict[str, Any]
    # Allow-listed detail fields the event carried in an unexpected type or form, dropped (paths, sorted)
    ignoredFields: list[str]
    # Derived: this account's tasks waiting on the device when the change was seen (counted only
    # for a change of availability that could be announced)
    waitingTasks: int
    # How the event reached the function (domain.arrival)
    arrival: ArrivalField


def availability(status: str) -> str | None:
    """``online`` or ``offline`` for a status people are told about; None for any other."""
    return AVAILABILITY.get(status)


def build_device_record(
    change: DeviceStatusChange, *, waiting_tasks: int | None = None, arrival: ArrivalField | None = None
) -> DeviceRecord:
    record: dict[str, Any] = {
        "eventId": change.event_id,
        "eventTime": change.event_time,
        "detailType": change.detail_type,
        "deviceArn": change.device.arn,
        "status": change.status,
        "deviceProvider": change.device.provider,
        "deviceName": change.device.name,
        "deviceType": change.device.kind,
        "region": change.device.region or change.event_region,
        "eventDetails": dict(change.details) or None,
        "ignoredFields": list(change.ignored_fields) or None,
        "waitingTasks": waiting_tasks,
        "arrival": arrival,
    }
    return cast(DeviceRecord, {key: value for key, value in record.items() if value is not None})
