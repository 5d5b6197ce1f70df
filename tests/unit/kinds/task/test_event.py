"""Validating events: what is accepted, and errors that name the offending field."""

from __future__ import annotations

import pytest

from task_monitor.domain.intake import parse_body
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.validation import is_event_id
from task_monitor.errors import InvalidEventError
from task_monitor_devkit.builders.job import JOB_ARN
from task_monitor_devkit.builders.task import SV1, TASK_ARN, long_device_arn, long_partition_arn, task_event


def test_real_event_shape_is_accepted_with_shots_as_string() -> None:
    # Given an event as Braket sends it (shots is the string "1000")
    event = task_event("COMPLETED", shots="1000")
    # When it is parsed
    change = parse_task_event(event)
    # Then shots is a number and times are normalized to fixed-width UTC
    assert change.shots == 1000
    assert change.task.region == "us-east-1"
    assert change.task.task_id == TASK_ARN.rsplit("/", 1)[-1]
    assert change.event_time == "2026-11-20T11:43:40.000Z"
    assert change.ended_at == "2026-11-20T11:43:39.871Z"
    assert change.device.label == "ionq/Forte-1"


def test_documented_integer_shots_are_accepted() -> None:
    assert parse_task_event(task_event(shots=250)).shots == 250


def test_simulator_device_without_region_is_accepted() -> None:
    change = parse_task_event(task_event(device=SV1))
    assert (change.device.region, change.device.provider, change.device.name) == (None, "amazon", "sv1")


def test_offset_times_are_normalized_to_utc() -> None:
    change = parse_task_event(task_event(time="2026-11-20T10:43:40+01:00"))
    assert change.event_time == "2026-11-20T09:43:40.000Z"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.update(source="aws.ec2"), "source"),
        (lambda e: e.update({"detail-type": "Braket Job State Change"}), "detail-type"),
        (lambda e: e.pop("id"), "id"),
        (lambda e: e.update(id="x" * 1100), "id"),
        (lambda e: e.update(id="has spaces"), "id"),
        (lambda e: e.update(time="0099-01-01T00:00:00Z"), "time"),
        (lambda e: e.update(time="9999-12-31T23:00:00-05:00"), "time"),  # beyond datetime's range in UTC
        (lambda e: e.update(time="0001-01-01T00:30:00+01:00"), "time"),
        (lambda e: e.update(time="yesterday"), "time"),
        (lambda e: e.update(time="2026-11-20T09:00:00"), "time"),  # no time zone
        (lambda e: e.update(detail="COMPLETED"), "detail"),
        (lambda e: e["detail"].pop("quantumTaskArn"), "detail.quantumTaskArn"),
        (
            lambda e: e["detail"].update(quantumTaskArn=JOB_ARN),
            "detail.quantumTaskArn",
        ),
        (lambda e: e["detail"].update(quantumTaskArn="arn:aws:s3:::bucket/key"), "detail.quantumTaskArn"),
        (lambda e: e["detail"].update(status="done"), "detail.status"),
        (lambda e: e["detail"].update(status=3), "detail.status"),
        (lambda e: e["detail"].update(deviceArn="Forte-1"), "detail.deviceArn"),
        (lambda e: e["detail"].update(shots="lots"), "detail.shots"),
        (lambda e: e["detail"].update(shots="1e3"), "detail.shots"),
        (lambda e: e["detail"].update(shots=-1), "detail.shots"),
        (lambda e: e["detail"].update(shots="9" * 40), "detail.shots"),
        (lambda e: e["detail"].update(shots=True), "detail.shots"),
        (lambda e: e["detail"].pop("shots"), "detail.shots"),
        (lambda e: e["detail"].update(createdAt="2026-13-45T00:00:00Z"), "detail.createdAt"),
        (lambda e: e["detail"].update(endedAt=12345), "detail.endedAt"),
        (lambda e: e["detail"].update(outputS3Bucket=["a"]), "detail.outputS3Bucket"),
    ],
)
def test_bad_event_is_rejected_naming_the_field(mutate, field: str) -> None:
    # Given an otherwise valid event with one bad field
    event = task_event()
    mutate(event)
    # When it is parsed, Then the error names exactly that field
    with pytest.raises(InvalidEventError) as raised:
        parse_task_event(event)
    assert raised.value.field == field
    assert field in str(raised.value)


@pytest.mark.parametrize("not_an_object", [None, [], "event", 42])
def test_non_object_event_is_rejected(not_an_object) -> None:
    with pytest.raises(InvalidEventError, match=r"\$: expected a JSON object"):
        parse_task_event(not_an_object)


def test_unknown_but_well_formed_status_is_accepted_as_unknown() -> None:
    # Given a status Braket might add one day
    change = parse_task_event(task_event("PAUSED"))
    # Then it is kept (audited), flagged as not a known status
    assert change.status == "PAUSED"
    assert not change.known_status


# Found by the bad-input corpus (tests/bad_input): each escaped validation or leaked into logs before.
@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e["detail"].update(quantumTaskArn=e["detail"]["quantumTaskArn"] + "\n"), "detail.quantumTaskArn"),
        (lambda e: e["detail"].update(deviceArn=e["detail"]["deviceArn"] + "\n"), "detail.deviceArn"),
        (lambda e: e.update(id=e["id"] + "\n"), "id"),
        (lambda e: e["detail"].update(status="PAUSED\n"), "detail.status"),
        (lambda e: e["detail"].update(outputS3Directory="tasks/\ud800"), "detail.outputS3Directory"),
    ],
)
def test_a_final_newline_or_unpaired_surrogate_is_rejected(mutate, field: str) -> None:
    # ``$`` matched before a final newline, and a lone surrogate failed later in DynamoDB (a retry, not a rejection)
    event = task_event()
    mutate(event)
    with pytest.raises(InvalidEventError) as raised:
        parse_task_event(event)
    assert raised.value.field == field


def test_shots_with_thousands_of_digits_are_out_of_range_not_a_crash() -> None:
    # int() raises a plain ValueError past 4,300 digits, which the intake retried instead of rejecting
    with pytest.raises(InvalidEventError, match=r"outside 0\.\.1000000000") as raised:
        parse_task_event(task_event(shots="7" * 5000))
    assert raised.value.field == "detail.shots"


@pytest.mark.parametrize(
    ("mutate", "marker"),
    [
        (lambda e: e.update(source="aws.braket" + "x" * 100_000 + "MARKER"), "MARKER"),
        (lambda e: e["detail"].update(createdAt="x" * 100_000 + "MARKER"), "MARKER"),
        (
            lambda e: e["detail"].update(quantumTaskArn=e["detail"]["quantumTaskArn"] + "x" * 10_000 + "MARKER"),
            "MARKER",
        ),
        (lambda e: e.update(source=[["MARKER"]]), "MARKER"),
    ],
)
def test_the_error_quotes_only_the_start_of_a_bad_value(mutate, marker: str) -> None:
    # The message is logged and put on the dead-letter queue: it must never carry a payload
    event = task_event()
    mutate(event)
    with pytest.raises(InvalidEventError) as raised:
        parse_task_event(event)
    assert marker not in str(raised.value) and len(str(raised.value)) < 300


def test_only_an_id_shaped_value_is_an_event_id() -> None:
    assert is_event_id(task_event()["id"])
    assert not is_event_id("i" * 50_000) and not is_event_id(task_event()["id"] + "\n") and not is_event_id(7)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('{"shots": NaN}', "NaN is not a JSON value"),
        ('{"x": -Infinity}', "-Infinity is not a JSON value"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"shots": ' + "9" * 5000 + "}", "a number too long"),
        ("\ufeff{}", "BOM"),
    ],
)
def test_a_body_python_would_misread_or_crash_on_is_invalid(body: str, problem: str) -> None:
    # NaN/Infinity are not JSON (RFC 8259); RecursionError and the int digit limit escaped as other errors
    with pytest.raises(InvalidEventError, match=problem) as raised:
        parse_body(body)
    assert raised.value.field == "body"


# Over-long ARNs were accepted, then refused by DynamoDB (a key over 2,048 bytes) on every retry.
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantumTaskArn", long_partition_arn(TASK_ARN, 300)),
        ("quantumTaskArn", long_partition_arn(TASK_ARN, 2_142)),
        ("deviceArn", long_device_arn(442)),
        ("deviceArn", long_device_arn(2_142)),
    ],
)
def test_an_arn_longer_than_braket_allows_is_rejected_saying_the_limit(field: str, value: str) -> None:
    with pytest.raises(InvalidEventError) as raised:
        parse_task_event(task_event(**{field: value}))
    assert raised.value.field == f"detail.{field}"
    assert f"is {len(value)} characters; Braket ARNs are at most 256" in raised.value.problem
    assert len(str(raised.value)) < 300  # the value is quoted short


def test_a_device_arn_at_the_limit_is_accepted() -> None:
    assert parse_task_event(task_event(deviceArn=long_device_arn(256))).device.arn == long_device_arn(256)


def test_an_event_id_is_bounded_far_below_dynamodb_s_sort_key_limit() -> None:
    # The id ends the event item's sort key (at most 1,024 bytes): 128 ASCII characters at most
    assert is_event_id("a" * 128) and not is_event_id("a" * 129) and not is_event_id("é")
    assert parse_task_event(task_event(event_id="e" * 128)).event_id == "e" * 128
