"""Parsing device availability events: both detail-types, both status names, the resources fallback."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor.domain.kinds.device.event import parse_device_event
from task_monitor.domain.kinds.device.record import availability, build_device_record
from task_monitor.errors import InvalidEventError
from task_monitor_devkit.builders.device import DEVICE_STATUS, QPU_STATUS, device_event
from task_monitor_devkit.builders.task import FORTE, GARNET, SV1, TASK_ARN, long_device_arn


@pytest.mark.parametrize("detail_type", [DEVICE_STATUS, QPU_STATUS])
@pytest.mark.parametrize("status_field", ["status", "deviceStatus"])
def test_either_detail_type_and_either_status_name_gives_the_same_change(detail_type, status_field) -> None:
    event = device_event("OFFLINE", detail_type=detail_type, status_field=status_field)
    change = parse_device_event(event, detail_type)
    assert (change.detail_type, change.status, change.device.arn) == (detail_type, "OFFLINE", FORTE)
    assert change.event_time == "2026-11-21T06:00:04.000Z" and change.event_region == "us-east-1"
    assert change.known_status and change.details == {}


def test_status_is_preferred_over_device_status_when_both_are_given() -> None:
    event = device_event("OFFLINE", deviceStatus="ONLINE")
    assert parse_device_event(event, DEVICE_STATUS).status == "OFFLINE"


def test_without_detail_device_arn_the_single_device_arn_in_resources_is_taken() -> None:
    event = device_event("ONLINE", arn=GARNET, arn_in_detail=False, resources=[TASK_ARN, GARNET, GARNET])
    change = parse_device_event(event, DEVICE_STATUS)
    assert change.device.arn == GARNET and change.device.label == "iqm/Garnet"


@pytest.mark.parametrize(
    "resources",
    [[], [TASK_ARN], [FORTE, GARNET], "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1", None, [{"arn": FORTE}]],
    ids=["empty", "only-a-task", "two-devices", "a-string", "null", "objects"],
)
def test_without_detail_device_arn_resources_must_name_exactly_one_device(resources: Any) -> None:
    event = device_event("ONLINE", arn_in_detail=False, resources=resources)
    with pytest.raises(InvalidEventError) as raised:
        parse_device_event(event, DEVICE_STATUS)
    assert raised.value.field == "detail.deviceArn" and "missing" in raised.value.problem


@pytest.mark.parametrize(
    "value", [TASK_ARN, FORTE + "\n", "arn:aws:braket:us-east-1::device/qpu/../../x", 42, "", ["x"]]
)
def test_a_bad_device_arn_in_the_detail_is_rejected_even_when_resources_has_a_good_one(value: Any) -> None:
    event = device_event("ONLINE", arn=FORTE, deviceArn=value)
    with pytest.raises(InvalidEventError) as raised:
        parse_device_event(event, DEVICE_STATUS)
    assert raised.value.field == "detail.deviceArn" and "not a Braket device ARN" in raised.value.problem


@pytest.mark.parametrize(
    ("status_field", "value"),
    [
        ("status", 3),
        ("deviceStatus", "Off line"),
        ("deviceStatus", ""),
        ("status", ["ONLINE"]),
        ("status", "OFFLINE\n"),
        ("status", "ONL\u0130NE"),
        ("deviceStatus", "onl\u0131ne"),  # str.upper() would make it ONLINE: a look-alike, not a status
    ],
)
def test_a_status_that_is_not_a_word_is_rejected_naming_its_field(status_field, value) -> None:
    event = device_event(value, status_field=status_field)
    with pytest.raises(InvalidEventError) as raised:
        parse_device_event(event, DEVICE_STATUS)
    assert raised.value.field == f"detail.{status_field}" and "not a device status" in raised.value.problem


@pytest.mark.parametrize("status_field", ["status", "deviceStatus"])
@pytest.mark.parametrize(("value", "canonical"), [("offline", "OFFLINE"), ("Online", "ONLINE"), ("retired", "RETIRED")])
def test_a_status_in_any_case_is_kept_in_upper_case(status_field: str, value: str, canonical: str) -> None:
    change = parse_device_event(device_event(value, status_field=status_field), DEVICE_STATUS)
    assert change.status == canonical and change.known_status and change.ignored_fields == ()
    assert build_device_record(change)["status"] == canonical


def test_a_missing_status_is_rejected() -> None:
    with pytest.raises(InvalidEventError) as raised:
        parse_device_event(device_event(None), DEVICE_STATUS)
    assert raised.value.field == "detail.status" and "deviceStatus" in raised.value.problem


def test_an_unknown_status_is_accepted_as_audit_only() -> None:
    change = parse_device_event(device_event("MAINTENANCE"), DEVICE_STATUS)
    assert change.status == "MAINTENANCE" and not change.known_status
    assert availability(change.status) is None


def test_the_envelope_is_checked_against_the_detail_type_it_is_parsed_as() -> None:
    with pytest.raises(InvalidEventError) as raised:
        parse_device_event(device_event(detail_type=QPU_STATUS), DEVICE_STATUS)
    assert raised.value.field == "detail-type"
    with pytest.raises(InvalidEventError) as raised:
        parse_device_event({**device_event(), "time": "yesterday"}, DEVICE_STATUS)
    assert raised.value.field == "time"


def test_allow_listed_details_are_kept_and_nothing_else() -> None:
    windows = [{"executionDay": "Weekdays", "windowStartHour": "13:00:00", "windowEndHour": "20:00:00"}]
    event = device_event(
        "OFFLINE",
        deviceName="Forte 1",
        providerName="IonQ",
        deviceType="QPU",
        executionWindows=windows,
        deviceCapabilities="{" + "x" * 50_000 + "}",
        secret="do-not-keep",
    )
    change = parse_device_event(event, DEVICE_STATUS)
    assert change.details == {
        "deviceName": "Forte 1",
        "providerName": "IonQ",
        "deviceType": "QPU",
        "executionWindows": windows,
    }


@pytest.mark.parametrize(
    "extra",
    [
        {"deviceName": "x" * 129},
        {"deviceName": 7},
        {"providerName": "\ud800"},
        {"providerName": {"nested": "object"}},
        {"executionWindows": [{"executionDay": "Everyday", "note": "unexpected key"}]},
        {"executionWindows": [{"executionDay": "x" * 33}]},
        {"executionWindows": [{"executionDay": "Everyday"}] * 15},
        {"executionWindows": "Everyday 00:00-23:59"},
        {"executionWindows": [[]]},
    ],
)
def test_optional_details_of_an_unexpected_shape_are_dropped_and_named_not_rejected(extra: dict[str, Any]) -> None:
    change = parse_device_event(device_event("OFFLINE", **extra), DEVICE_STATUS)
    assert change.details == {} and change.status == "OFFLINE"
    assert change.ignored_fields == tuple(f"detail.{name}" for name in extra)
    assert build_device_record(change)["ignoredFields"] == [f"detail.{name}" for name in extra]


@pytest.mark.parametrize("extra", [{"deviceName": "   "}, {"executionWindows": []}, {"providerName": None}, {}])
def test_blank_or_empty_optional_details_count_as_absent_not_ignored(extra: dict[str, Any]) -> None:
    change = parse_device_event(device_event("OFFLINE", **extra), DEVICE_STATUS)
    assert change.details == {} and change.ignored_fields == ()
    assert "ignoredFields" not in build_device_record(change)


def test_the_good_details_are_kept_beside_the_dropped_ones_which_are_named_in_order() -> None:
    event = device_event("OFFLINE", providerName=["IonQ"], deviceName="Forte 1", deviceType=7, executionWindows="x")
    change = parse_device_event(event, DEVICE_STATUS)
    assert change.details == {"deviceName": "Forte 1"}
    assert change.ignored_fields == ("detail.deviceType", "detail.executionWindows", "detail.providerName")


def test_record_of_a_qpu_takes_its_region_provider_and_name_from_the_arn() -> None:
    event = device_event("OFFLINE", arn=GARNET, region="eu-west-2", detail_type=QPU_STATUS)
    change = parse_device_event(event, QPU_STATUS)
    record = build_device_record(change, waiting_tasks=3)
    assert record == {
        "eventId": change.event_id,
        "eventTime": "2026-11-21T06:00:04.000Z",
        "detailType": QPU_STATUS,
        "deviceArn": GARNET,
        "status": "OFFLINE",
        "deviceProvider": "iqm",
        "deviceName": "Garnet",
        "deviceType": "qpu",
        "region": "eu-north-1",  # the device's own region, not the bus the event came through
        "waitingTasks": 3,
    }


def test_record_of_a_simulator_takes_the_event_region_or_none() -> None:
    change = parse_device_event(device_event("OFFLINE", arn=SV1, region="us-west-2", deviceName="SV1"), DEVICE_STATUS)
    record = build_device_record(change)
    assert record["region"] == "us-west-2" and record["deviceType"] == "quantum-simulator"
    assert record["eventDetails"] == {"deviceName": "SV1"} and "waitingTasks" not in record
    regionless = build_device_record(parse_device_event(device_event("OFFLINE", arn=SV1, region=None), DEVICE_STATUS))
    assert "region" not in regionless


def test_waiting_count_of_zero_is_kept() -> None:
    record = build_device_record(parse_device_event(device_event("ONLINE"), DEVICE_STATUS), waiting_tasks=0)
    assert record["waitingTasks"] == 0


# A 2,142-character device ARN was accepted, then refused by DynamoDB on each of 60 receives.
@pytest.mark.parametrize("characters", [257, 442, 2_142])
def test_a_device_arn_longer_than_braket_allows_is_rejected_saying_the_limit(characters: int) -> None:
    event = device_event("OFFLINE", arn=long_device_arn(characters), detail_type=QPU_STATUS)
    with pytest.raises(InvalidEventError) as raised:
        parse_device_event(event, QPU_STATUS)
    assert raised.value.field == "detail.deviceArn"
    assert f"is {characters} characters; Braket ARNs are at most 256" in raised.value.problem


def test_an_over_long_device_arn_in_resources_is_not_taken_and_the_error_says_why() -> None:
    event = device_event("OFFLINE", arn=long_device_arn(2_142), arn_in_detail=False)
    with pytest.raises(InvalidEventError) as raised:
        parse_device_event(event, DEVICE_STATUS)
    assert raised.value.field == "detail.deviceArn"
    assert "resources name 0 device ARNs" in raised.value.problem
    assert "1 entry too long for an ARN (the longest 2142 characters; Braket ARNs are at most 256)" in str(raised.value)


def test_a_device_arn_at_the_limit_is_accepted() -> None:
    change = parse_device_event(device_event("OFFLINE", arn=long_device_arn(256)), DEVICE_STATUS)
    assert change.device.arn == long_device_arn(256)
