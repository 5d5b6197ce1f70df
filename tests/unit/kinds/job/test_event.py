"""Parsing ``Braket Job State Change``: jobArn and status required, every other field tolerated.

A malformed optional field is dropped and named in ``ignored_fields``; only the envelope, the job ARN
and the status reject an event (their shape is what identifies the change)."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor.domain.arns import parse_job_arn
from task_monitor.domain.kinds.job.event import parse_job_event
from task_monitor.errors import InvalidEventError
from task_monitor_devkit.builders.job import (
    JOB_ARN,
    JOB_CREATED_AT,
    JOB_ENDED_AT,
    JOB_ID,
    JOB_STARTED_AT,
    job_arn,
    job_event,
    job_id_for,
)
from task_monitor_devkit.builders.task import FORTE, TASK_ARN, long_device_arn, long_partition_arn


def test_a_minimal_event_has_all_that_is_needed() -> None:
    change = parse_job_event(job_event("RUNNING", minimal=True))
    assert change.job.arn == JOB_ARN
    assert (change.job.region, change.job.account, change.job.name) == ("us-east-1", "123456789012", JOB_ID)
    assert change.status == "RUNNING" and change.known_status
    assert change.event_time == "2026-11-23T15:44:40.000Z"
    assert (change.created_at, change.started_at, change.ended_at) == (None, None, None)
    assert (change.job_name, change.device, change.failure_reason, change.event_name) == (None, None, None, None)


@pytest.mark.parametrize(
    ("field", "value", "attribute", "parsed"),
    [
        ("createdAt", "2026-11-23T16:40:02.517+01:00", "created_at", JOB_CREATED_AT),
        ("startedAt", JOB_STARTED_AT, "started_at", JOB_STARTED_AT),
        ("endedAt", "2026-11-23T16:02:10.954Z", "ended_at", JOB_ENDED_AT),
        ("jobName", "vqe-h2-run-7", "job_name", "vqe-h2-run-7"),
        ("deviceArn", FORTE, "device", FORTE),
        ("device", "local:braket/braket.local.qubit", "device", "local:braket/braket.local.qubit"),
        ("failureReason", "AlgorithmError: out of memory", "failure_reason", "AlgorithmError: out of memory"),
        ("eventName", "MODIFY", "event_name", "MODIFY"),
    ],
)
def test_each_optional_field_is_taken_when_present_and_absent_otherwise(field, value, attribute, parsed) -> None:
    assert getattr(parse_job_event(job_event("COMPLETED", minimal=True, **{field: value})), attribute) == parsed
    assert getattr(parse_job_event(job_event("COMPLETED", minimal=True)), attribute) is None


def test_device_arn_is_preferred_to_device_and_blank_optional_text_counts_as_absent() -> None:
    change = parse_job_event(job_event(minimal=True, deviceArn=FORTE, device="local:x", jobName="  "))
    assert change.device == FORTE and change.job_name is None


def test_an_unknown_status_is_accepted_but_not_known() -> None:
    change = parse_job_event(job_event("PAUSED", minimal=True))
    assert change.status == "PAUSED" and not change.known_status


def test_extra_detail_fields_are_ignored() -> None:
    change = parse_job_event(job_event(minimal=True, hyperParameters={"password": "x"}, something="new"))
    assert change.status == "COMPLETED"


def test_a_missing_job_arn_is_taken_from_resources_when_they_name_exactly_one_job() -> None:
    event = job_event(minimal=True)
    del event["detail"]["jobArn"]
    event["resources"] = [TASK_ARN, JOB_ARN, JOB_ARN]  # the same job twice is still one job
    assert parse_job_event(event).job.arn == JOB_ARN


@pytest.mark.parametrize(
    ("resources", "problem"),
    [
        ([], "resources names none"),
        ([TASK_ARN], "resources names none"),
        ("not-a-list", "resources names none"),
        ([JOB_ARN, job_arn(job_id_for("other-job"))], "several job ARNs"),
        ([f"{JOB_ARN}\n"], "resources names none"),
    ],
)
def test_a_missing_job_arn_with_no_single_job_in_resources_is_rejected(resources: Any, problem: str) -> None:
    event = job_event(minimal=True)
    del event["detail"]["jobArn"]
    event["resources"] = resources
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(event)
    assert raised.value.field == "detail.jobArn" and problem in raised.value.problem


def test_a_malformed_job_arn_is_rejected_even_when_resources_names_the_job() -> None:
    event = job_event(minimal=True, jobArn="arn:aws:braket:us-east-1:123456789012:job/../x")
    event["resources"] = [JOB_ARN]
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(event)
    assert raised.value.field == "detail.jobArn" and "is not a hybrid job ARN" in raised.value.problem


@pytest.mark.parametrize(
    ("detail", "field", "problem"),
    [
        ({"jobArn": ""}, "detail.jobArn", "missing or not a non-empty string"),
        ({"jobArn": 42}, "detail.jobArn", "missing or not a non-empty string"),
        ({"jobArn": {"$ne": None}}, "detail.jobArn", "missing or not a non-empty string"),
        ({"jobArn": TASK_ARN}, "detail.jobArn", "is not a hybrid job ARN"),
        ({"jobArn": f"{JOB_ARN}\n"}, "detail.jobArn", "is not a hybrid job ARN"),
        ({"jobArn": JOB_ARN.replace("123456789012", "1234")}, "detail.jobArn", "is not a hybrid job ARN"),
        ({"jobArn": f"{JOB_ARN}/extra"}, "detail.jobArn", "is not a hybrid job ARN"),
        ({"jobArn": job_arn("x" * 129)}, "detail.jobArn", "is not a hybrid job ARN"),
        ({"jobArn": job_arn("-leading-dash")}, "detail.jobArn", "is not a hybrid job ARN"),
        ({"status": None}, "detail.status", "None is not a Braket job status"),
        ({"status": 5}, "detail.status", "is not a Braket job status"),
        ({"status": "COMPLETED "}, "detail.status", "is not a Braket job status"),
        ({"status": "Completed!"}, "detail.status", "is not a Braket job status"),
        ({"status": "CANCELL\u0130D"}, "detail.status", "is not a Braket job status"),  # a look-alike I
        ({"status": "runn\u0131ng"}, "detail.status", "is not a Braket job status"),  # upper() makes it RUNNING
    ],
)
def test_an_identifying_field_that_is_wrong_rejects_the_event_naming_it(
    detail: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(job_event(**detail))
    assert raised.value.field == field
    assert problem in raised.value.problem


@pytest.mark.parametrize(
    ("detail", "ignored"),
    [
        ({"createdAt": "yesterday"}, "detail.createdAt"),
        ({"startedAt": 1763912679}, "detail.startedAt"),  # epoch seconds: January 1970 as milliseconds
        ({"startedAt": 1795448679208.0}, "detail.startedAt"),  # milliseconds, but not a whole number
        ({"startedAt": True}, "detail.startedAt"),
        ({"endedAt": "2026-11-23T16:02:10"}, "detail.endedAt"),  # no time zone
        ({"endedAt": {"iso": JOB_ENDED_AT}}, "detail.endedAt"),
        ({"jobName": 7}, "detail.jobName"),
        ({"deviceArn": ["x"]}, "detail.deviceArn"),
        ({"device": {"arn": FORTE}}, "detail.device"),
        ({"failureReason": False}, "detail.failureReason"),
        ({"failureReason": {"password": "hunter2"}}, "detail.failureReason"),
        ({"failureReason": "\ud800"}, "detail.failureReason"),  # an unpaired surrogate
        ({"eventName": ["MODIFY"]}, "detail.eventName"),
        ({"outputDataConfig": "s3://bucket/jobs/x/data"}, "detail.outputDataConfig"),
        ({"outputDataConfig": {"s3Path": 42}}, "detail.outputDataConfig.s3Path"),
    ],
)
def test_an_optional_field_of_an_unexpected_shape_is_dropped_and_named(detail: dict[str, Any], ignored: str) -> None:
    change = parse_job_event(job_event("FAILED", minimal=True, **detail))
    assert change.ignored_fields == (ignored,)
    assert (change.job.arn, change.status) == (JOB_ARN, "FAILED")
    assert (change.created_at, change.started_at, change.ended_at, change.job_name) == (None, None, None, None)
    assert (change.device, change.failure_reason, change.event_name, change.output_s3_path) == (None,) * 4


def test_every_field_dropped_is_named_once_in_path_order_and_the_good_ones_are_kept() -> None:
    event = job_event(
        "COMPLETED",
        minimal=True,
        startedAt=1.5,
        jobName=["run"],
        endedAt=JOB_ENDED_AT,
        failureReason={"nested": True},
        deviceArn=7,
        device="local:braket/braket.local.qubit",
    )
    change = parse_job_event(event)
    assert change.ignored_fields == ("detail.deviceArn", "detail.failureReason", "detail.jobName", "detail.startedAt")
    assert change.ended_at == JOB_ENDED_AT and change.device == "local:braket/braket.local.qubit"
    assert parse_job_event(job_event("COMPLETED")).ignored_fields == ()


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        (1795448679208, JOB_STARTED_AT),  # 2026-11-23T15:44:39.208Z, as Braket's spend events write times
        (1546300800000, "2019-01-01T00:00:00.000Z"),  # the earliest accepted
        (4102444799999, "2099-12-31T23:59:59.999Z"),  # the latest accepted
    ],
)
def test_a_time_in_epoch_milliseconds_is_taken_as_a_time(value: int, parsed: str) -> None:
    change = parse_job_event(job_event("RUNNING", minimal=True, startedAt=value))
    assert change.started_at == parsed and change.ignored_fields == ()


@pytest.mark.parametrize("value", [1546300799999, 4102444800000, 0, -1, 10**400])
def test_epoch_milliseconds_outside_2019_to_2100_are_dropped_and_named(value: int) -> None:
    change = parse_job_event(job_event("RUNNING", minimal=True, createdAt=value))
    assert change.created_at is None and change.ignored_fields == ("detail.createdAt",)


@pytest.mark.parametrize(
    ("value", "canonical"), [("completed", "COMPLETED"), ("Failed", "FAILED"), ("paused", "PAUSED")]
)
def test_a_status_in_any_case_is_kept_in_upper_case(value: str, canonical: str) -> None:
    change = parse_job_event(job_event(value))
    assert change.status == canonical and change.ignored_fields == ()
    assert change.known_status is (canonical != "PAUSED")


def test_the_output_path_is_read_from_output_data_config() -> None:
    path = "s3://amazon-braket-us-east-1-123456789012/jobs/vqe-h2-run-7/1795447202517/data"
    change = parse_job_event(job_event(minimal=True, outputDataConfig={"s3Path": path, "kmsKeyId": "k"}))
    assert change.output_s3_path == path and change.ignored_fields == ()


def test_a_missing_status_is_rejected() -> None:
    event = job_event()
    del event["detail"]["status"]
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(event)
    assert raised.value.field == "detail.status"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.update({"detail-type": "Braket Task State Change"}), "detail-type"),
        (lambda e: e.update(source="aws.sagemaker"), "source"),
        (lambda e: e.pop("id"), "id"),
        (lambda e: e.update(time="soon"), "time"),
        (lambda e: e.update(detail=["COMPLETED"]), "detail"),
    ],
)
def test_the_envelope_is_checked_as_for_every_kind(mutate, field: str) -> None:
    event = job_event()
    mutate(event)
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(event)
    assert raised.value.field == field


def test_a_bad_job_arn_is_told_the_current_shape_an_id_not_a_name() -> None:
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(job_event(jobArn=TASK_ARN))
    assert raised.value.problem.endswith("is not a hybrid job ARN (arn:aws:braket:<region>:<account>:job/<id>)")


def test_a_long_bad_value_is_quoted_short() -> None:
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(job_event(jobArn="arn:" + "x" * 10_000))
    assert len(str(raised.value)) < 300


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:braket:us-west-2:123456789012:job/9b1e4c7a-2d3f-4a5b-8c6d-7e8f9a0b1c2d",
        "arn:aws-us-gov:braket:us-gov-west-1:123456789012:job/3c5d7e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f",
        # The old form, named by the job's name: ARNs of jobs made before Braket switched to UUIDs
        "arn:aws:braket:us-east-1:123456789012:job/braket-job-default-123456789012",
        f"arn:aws:braket:eu-north-1:123456789012:job/{'a' * 128}",  # the longest id the pattern takes
    ],
)
def test_job_arns_in_every_partition_old_and_new_forms_and_the_longest_id_parse(arn: str) -> None:
    parsed = parse_job_arn(arn)
    assert parsed is not None and parsed.arn == arn and arn.endswith(parsed.name)


# Every ARN a job event hands over is bounded by Braket's limit, as task and device ARNs are.
@pytest.mark.parametrize(
    ("detail", "field", "characters"),
    [
        ({"jobArn": long_partition_arn(JOB_ARN, 300)}, "detail.jobArn", 300),
        ({"jobArn": long_partition_arn(JOB_ARN, 2_142)}, "detail.jobArn", 2_142),
    ],
)
def test_an_arn_longer_than_braket_allows_is_rejected_saying_the_limit(
    detail: dict[str, Any], field: str, characters: int
) -> None:
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(job_event(**detail))
    assert raised.value.field == field
    assert f"is {characters} characters; Braket ARNs are at most 256" in raised.value.problem


@pytest.mark.parametrize(
    ("detail", "field"),
    [({"deviceArn": long_device_arn(442)}, "detail.deviceArn"), ({"device": "local:" + "x" * 2_136}, "detail.device")],
)
def test_a_job_device_longer_than_a_braket_arn_is_not_one_and_is_dropped_and_named(
    detail: dict[str, Any], field: str
) -> None:
    """The job's device is optional and keys nothing: like any optional field of a wrong form, it is
    dropped and named (the job's ARN and status alone reject an event)."""
    change = parse_job_event(job_event(**detail))
    assert change.device is None and field in change.ignored_fields


def test_an_over_long_job_arn_in_resources_is_not_taken_and_the_error_says_why() -> None:
    event = job_event(minimal=True)
    del event["detail"]["jobArn"]
    event["resources"] = [long_partition_arn(JOB_ARN, 2_142)]
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(event)
    assert raised.value.field == "detail.jobArn"
    assert "resources names none to take instead; 1 entry too long for an ARN" in raised.value.problem


def test_a_device_at_the_limit_is_kept() -> None:
    assert parse_job_event(job_event(device="x" * 256)).device == "x" * 256
