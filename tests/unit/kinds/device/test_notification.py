"""What a person and a machine get when a device with tasks waiting changes availability."""

from __future__ import annotations

import json

import pytest

from task_monitor.domain.kinds.device.event import parse_device_event
from task_monitor.domain.kinds.device.notification import render_device_notification
from task_monitor.domain.kinds.device.record import DeviceRecord, build_device_record
from task_monitor.domain.notification_model import SCHEMA_VERSION, SUBJECT_LIMIT
from task_monitor_devkit.builders.device import DEVICE_STATUS, QPU_STATUS, device_event
from task_monitor_devkit.builders.task import FORTE, SV1

CONSOLE = f"https://us-east-1.console.aws.amazon.com/braket/home?region=us-east-1#/devices/{FORTE}"


def _record(status: str = "OFFLINE", waiting: int = 3, detail_type: str = DEVICE_STATUS, **event_args) -> DeviceRecord:
    change = parse_device_event(device_event(status, detail_type=detail_type, **event_args), detail_type)
    return build_device_record(change, waiting_tasks=waiting)


def test_subject_names_status_device_and_count() -> None:
    assert render_device_notification(_record()).subject == "Braket device OFFLINE: ionq/Forte-1, 3 tasks waiting"
    assert render_device_notification(_record("ONLINE", 1)).subject == (
        "Braket device ONLINE: ionq/Forte-1, 1 task waiting"
    )


def test_email_says_since_when_how_many_wait_and_what_it_means() -> None:
    text = render_device_notification(_record(deviceName="Forte 1")).email_text
    assert text.startswith("Amazon Braket device ionq/Forte-1 is OFFLINE\n\n")
    assert f"Device         ionq/Forte-1 ({FORTE})" in text
    assert "Display name   Forte 1" in text
    assert "Since          2026-11-21T06:00:04.000Z" in text
    assert "Tasks waiting  3 (created or queued, not yet running)" in text
    assert f"Console        {CONSOLE}" in text
    assert "3 tasks waiting on this device in your account.\nThey stay queued until the device is back online" in text
    assert "(Braket Device Status Change)" in text


@pytest.mark.parametrize(
    ("status", "meaning"),
    [("ONLINE", "The device is back: they run in queue order"), ("RETIRED", "they will not run on it")],
)
def test_email_explains_each_status_to_the_people_waiting(status: str, meaning: str) -> None:
    assert meaning in render_device_notification(_record(status)).email_text


def test_json_is_the_record_with_its_kind_schema_version_and_the_console_link() -> None:
    record = _record(detail_type=QPU_STATUS)
    body = json.loads(render_device_notification(record).json_body)
    assert body == {**record, "kind": "device", "schemaVersion": SCHEMA_VERSION, "consoleUrl": CONSOLE}
    assert body["detailType"] == QPU_STATUS


def test_attributes_let_subscribers_filter_by_kind_device_provider_status_and_availability() -> None:
    assert render_device_notification(_record("RETIRED")).attributes == {
        "kind": {"DataType": "String", "StringValue": "device"},
        "deviceArn": {"DataType": "String", "StringValue": FORTE},
        "provider": {"DataType": "String", "StringValue": "ionq"},
        "status": {"DataType": "String", "StringValue": "RETIRED"},
        "availability": {"DataType": "String", "StringValue": "offline"},
    }
    online = render_device_notification(_record("ONLINE")).attributes
    assert online["availability"]["StringValue"] == "online"


def test_a_simulator_without_a_region_has_no_console_link() -> None:
    notification = render_device_notification(_record(arn=SV1, region=None))
    assert "Console" not in notification.email_text and "Region" not in notification.email_text
    assert "consoleUrl" not in json.loads(notification.json_body)
    with_region = render_device_notification(_record(arn=SV1, region="us-west-2"))
    assert "https://us-west-2.console.aws.amazon.com/braket/home?region=us-west-2#/devices/" in with_region.email_text


def test_subject_stays_ascii_and_short() -> None:
    arn = "arn:aws:braket:us-east-1::device/qpu/" + "p" * 60 + "/" + "n" * 60
    subject = render_device_notification(_record(arn=arn)).subject
    assert len(subject) <= SUBJECT_LIMIT and subject.isascii()
