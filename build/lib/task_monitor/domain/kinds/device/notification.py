"""Render a device availability record as an SNS notification: who waits, and what it means for them."""

from __future__ import annotations

from task_monitor.domain.arns import record_device_label
from task_monitor.domain.kinds.device.record import DeviceRecord, availability
from task_monitor.domain.notification_model import (
    Notification,
    braket_console_url,
    compose,
    compose_email,
    string_attribute,
)
from task_monitor.domain.registry import DEVICE

# What the waiting tasks can expect, by status.
_MEANING = {
    "OFFLINE": "They stay queued until the device is back online, then run in queue order.",
    "RETIRED": (
        "The device is retired: they will not run on it unless it returns. "
        "Consider cancelling them and sending them to another device."
    ),
    "ONLINE": "The device is back: they run in queue order from now on.",
}


def render_device_notification(record: DeviceRecord) -> Notification:
    return compose(
        kind=DEVICE.name,
        record=record,
        subject=render_subject(record),
        email_text=render_email(record),
        attributes=message_attributes(record),
        console_url=device_console_url(record),
    )


def device_label(record: DeviceRecord) -> str:
    return record_device_label(record)


def waiting_phrase(count: int) -> str:
    return f"{count} task{'' if count == 1 else 's'} waiting"


def render_subject(record: DeviceRecord) -> str:
    return f"Braket device {record['status']}: {device_label(record)}, {waiting_phrase(record.get('waitingTasks', 0))}"


def render_email(record: DeviceRecord) -> str:
    """A plain-text email, one fact a line, then what the change means for the tasks that wait."""
    waiting = record.get("waitingTasks", 0)
    details = record.get("eventDetails", {})
    lines: list[tuple[str, str | None]] = [
        ("Device", f"{device_label(record)} ({record['deviceArn']})"),
        ("Display name", details.get("deviceName")),
        ("Type", record["deviceType"]),
        ("Region", record.get("region")),
        ("Status", record["status"]),
        ("Since", record["eventTime"]),
        ("Tasks waiting", f"{waiting} (created or queued, not yet running)"),
        ("Console", device_console_url(record)),
    ]
    what_it_means = [f"{waiting_phrase(waiting).capitalize()} on this device in your account."]
    meaning = _MEANING.get(record["status"])
    if meaning:
        what_it_means.append(meaning)
    footer = f"Event {record['eventId']} ({record['detailType']}) at {record['eventTime']}."
    heading = f"Amazon Braket device {device_label(record)} is {record['status']}"
    return compose_email(heading, lines, ["\n".join(what_it_means)], footer)


def message_attributes(record: DeviceRecord) -> dict[str, dict[str, str]]:
    """Attributes for subscription filter policies (after ``kind``): device, provider, status, availability."""
    attributes = {
        "deviceArn": string_attribute(record["deviceArn"]),
        "provider": string_attribute(record["deviceProvider"]),
        "status": string_attribute(record["status"]),
    }
    way = availability(record["status"])
    if way:
        attributes["availability"] = string_attribute(way)
    return attributes


def device_console_url(record: DeviceRecord) -> str | None:
    """The device's page in the Braket console; None when the event named no region to open it in."""
    region = record.get("region")
    if not region:
        return None
    return braket_console_url(region, f"devices/{record['deviceArn']}")
