"""Parsing ``Braket Job State Change``: jobArn and status required, every other field tolerated."""

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
from task_monitor_devkit.builders.task import FORTE, TASK_ARN


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
        ({"status": "completed"}, "detail.status", "is not a Braket job status"),
        ({"status": 5}, "detail.status", "is not a Braket job status"),
        ({"status": "COMPLETED "}, "detail.status", "is not a Braket job status"),
        ({"createdAt": "yesterday"}, "detail.createdAt", "is not an ISO-8601 time"),
        ({"startedAt": 1763912679}, "detail.startedAt", "is not an ISO-8601 time"),
        ({"endedAt": "2026-11-23T16:02:10"}, "detail.endedAt", "is not an ISO-8601 time"),
        ({"jobName": 7}, "detail.jobName", "expected a string, got int"),
        ({"deviceArn": ["x"]}, "detail.deviceArn", "expected a string, got list"),
        ({"device": {"arn": FORTE}}, "detail.device", "expected a string, got dict"),
        ({"failureReason": False}, "detail.failureReason", "expected a string, got bool"),
        ({"eventName": ["MODIFY"]}, "detail.eventName", "expected a string, got list"),
        ({"failureReason": "\ud800"}, "detail.failureReason", "unpaired surrogate"),
    ],
)
def test_a_wrong_field_is_rejected_naming_it(detail: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(InvalidEventError) as raised:
        parse_job_event(job_event(**detail))
    assert raised.value.field == field
    assert problem in raised.value.problem


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
