"""Parsing CloudTrail-borne Braket calls: the target, the caller, and what is never kept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from task_monitor.domain.callers import CANCELLED_BY, CREATED_BY
from task_monitor.domain.kinds.api_call.event import USER_AGENT_LIMIT, parse_api_call
from task_monitor.errors import InvalidEventError
from task_monitor_devkit.builders.api_call import (
    ACCESS_KEY_ID,
    JOB_ARN,
    NEVER_STORED,
    SESSION_TOKEN,
    api_call,
    assumed_role,
    aws_service,
    cancel_job_call,
    cancel_task_call,
    create_job_call,
    create_task_call,
    failed_create_task_call,
    iam_user,
)
from task_monitor_devkit.builders.task import TASK_ARN, long_partition_arn


def _rejected(event: Any) -> InvalidEventError:
    with pytest.raises(InvalidEventError) as raised:
        parse_api_call(event)
    return raised.value


@pytest.mark.parametrize(
    ("event", "kind", "arn_field", "target", "role"),
    [
        (create_task_call(TASK_ARN), "task", "quantumTaskArn", TASK_ARN, CREATED_BY),
        (cancel_task_call(TASK_ARN), "task", "quantumTaskArn", TASK_ARN, CANCELLED_BY),
        (create_job_call(JOB_ARN), "job", "jobArn", JOB_ARN, CREATED_BY),
        (cancel_job_call(JOB_ARN), "job", "jobArn", JOB_ARN, CANCELLED_BY),
    ],
    ids=["CreateQuantumTask", "CancelQuantumTask", "CreateJob", "CancelJob"],
)
def test_each_joined_call_names_its_target_and_role(event, kind, arn_field, target, role) -> None:
    call = parse_api_call(event)
    assert (call.kind, call.arn_field, call.target_arn, call.role) == (kind, arn_field, target, role)
    assert call.joinable and call.error_code is None
    record = call.record()
    assert record[arn_field] == target  # the store's ItemKind keys the item by it
    assert "status" not in record  # ranks nowhere: never moves the latest state by itself
    assert record["eventId"] == event["id"]
    assert record["eventTime"] == "{}.000Z".format(event["detail"]["eventTime"].rstrip("Z"))
    assert record[role]["eventName"] == event["detail"]["eventName"]
    assert record[role]["cloudTrailEventId"] == event["detail"]["eventID"]


def test_cancel_takes_the_requested_arn_and_falls_back_to_the_response() -> None:
    event = cancel_task_call(TASK_ARN)
    event["detail"]["requestParameters"] = None
    assert parse_api_call(event).target_arn == TASK_ARN


def test_cancel_whose_response_names_another_task_is_rejected() -> None:
    event = cancel_task_call(TASK_ARN)
    event["detail"]["responseElements"]["quantumTaskArn"] = TASK_ARN.replace("5b0e7a8c", "00000000")
    assert _rejected(event).field == "detail.responseElements.quantumTaskArn"


def test_percent_encoded_arn_in_the_request_is_decoded() -> None:
    event = cancel_job_call(JOB_ARN)
    event["detail"]["requestParameters"]["jobArn"] = JOB_ARN.replace(":", "%3A").replace("/", "%2F")
    event["detail"]["responseElements"] = None
    assert parse_api_call(event).target_arn == JOB_ARN


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda d: d.update(eventSource="s3.amazonaws.com"), "detail.eventSource", "got 's3.amazonaws.com'"),
        (lambda d: d.pop("eventSource"), "detail.eventSource", "got None"),
        (lambda d: d.update(eventName="GetQuantumTask"), "detail.eventName", "got 'GetQuantumTask'"),
        (lambda d: d.pop("eventName"), "detail.eventName", "got None"),
        (lambda d: d.update(eventName=["CreateQuantumTask"]), "detail.eventName", "got a JSON array"),
        (lambda d: d.update(responseElements=None), "detail.responseElements.quantumTaskArn", "missing"),
        (
            lambda d: d["responseElements"].update(quantumTaskArn=JOB_ARN),
            "detail.responseElements.quantumTaskArn",
            "is not a quantum task ARN",
        ),
        (
            lambda d: d["responseElements"].update(quantumTaskArn=TASK_ARN + "\n"),
            "detail.responseElements.quantumTaskArn",
            "is not a quantum task ARN",
        ),
        (lambda d: d["responseElements"].update(quantumTaskArn=42), "detail.responseElements.quantumTaskArn", "string"),
        (lambda d: d.pop("userIdentity"), "detail.userIdentity", "missing"),
        (lambda d: d.update(userIdentity="alice"), "detail.userIdentity", "not an object"),
        (lambda d: d["userIdentity"].update(arn=7), "detail.userIdentity.arn", "expected a string"),
        (lambda d: d["userIdentity"].update(arn="a" * 5000), "detail.userIdentity.arn", "longer than"),
        (lambda d: d.update(eventTime="yesterday"), "detail.eventTime", "not an ISO-8601 time"),
        (lambda d: d.update(errorCode={"code": 1}), "detail.errorCode", "expected a string"),
    ],
    ids=[
        "foreign-source",
        "no-source",
        "other-call",
        "no-name",
        "name-list",
        "no-response",
        "job-arn-as-task",
        "arn-newline",
        "arn-number",
        "no-identity",
        "identity-string",
        "identity-arn-number",
        "identity-arn-huge",
        "bad-time",
        "error-code-object",
    ],
)
def test_bad_call_is_rejected_naming_the_field(change, field, problem) -> None:
    event = create_task_call(TASK_ARN)
    change(event["detail"])
    error = _rejected(event)
    assert (error.field, problem in error.problem) == (field, True), error.problem
    assert len(str(error)) < 300


def test_job_arn_is_checked_for_job_calls() -> None:
    event = create_job_call(JOB_ARN)
    event["detail"]["responseElements"]["jobArn"] = TASK_ARN
    error = _rejected(event)
    assert error.field == "detail.responseElements.jobArn" and "hybrid job ARN" in error.problem


def test_envelope_of_another_detail_type_is_rejected() -> None:
    event = {**create_task_call(TASK_ARN), "detail-type": "AWS Console Action via CloudTrail"}
    assert _rejected(event).field == "detail-type"


def test_failed_call_is_valid_with_nothing_to_join() -> None:
    call = parse_api_call(failed_create_task_call(error_code="ServiceQuotaExceededException"))
    assert not call.joinable and call.target_arn is None
    assert call.error_code == "ServiceQuotaExceededException"
    record = call.record()
    assert record["errorCode"] == "ServiceQuotaExceededException" and "quantumTaskArn" not in record
    assert (call.kind, call.role) == ("task", CREATED_BY)


def test_failed_cancel_of_a_task_already_done_has_nothing_to_join() -> None:
    event = cancel_task_call(TASK_ARN)
    event["detail"].update(errorCode="ConflictException", responseElements=None)
    call = parse_api_call(event)
    assert not call.joinable and call.error_code == "ConflictException"


# -- identities ----------------------------------------------------------------------------------
def test_assumed_role_principal_is_the_role_and_the_session_is_named() -> None:
    caller = parse_api_call(create_task_call(TASK_ARN, identity=assumed_role("QubitWrangler", "marisol"))).caller
    assert caller == {
        "principal": "arn:aws:iam::123456789012:role/QubitWrangler",
        "identityType": "AssumedRole",
        "arn": "arn:aws:sts::123456789012:assumed-role/QubitWrangler/marisol",
        "principalId": "AROAZZROLEQUBITWRANG:marisol",
        "accountId": "123456789012",
        "sessionIssuer": {
            "type": "Role",
            "arn": "arn:aws:iam::123456789012:role/QubitWrangler",
            "userName": "QubitWrangler",
        },
        "sessionName": "marisol",
        "sourceIPAddress": "203.0.113.58",
        "userAgent": caller["userAgent"],
        "eventName": "CreateQuantumTask",
        "eventTime": "2026-11-20T09:00:00.000Z",
        "cloudTrailEventId": caller["cloudTrailEventId"],
        "requestParameters": {
            "deviceArn": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
            "shots": 250,
            "outputS3Bucket": "amazon-braket-us-east-1-123456789012",
            "outputS3KeyPrefix": "ghz-study",
            "tags": {"study": "ghz-3", "costCentre": "qlab"},
        },
    }
    assert caller["userAgent"].startswith("Boto3/1.44.9") and "BraketSdk/1.93.1" in caller["userAgent"]


def test_iam_user_without_session_context_is_its_own_principal() -> None:
    caller = parse_api_call(create_task_call(TASK_ARN, identity=iam_user("tomasz"))).caller
    assert caller["principal"] == "arn:aws:iam::123456789012:user/tomasz"
    assert (caller["identityType"], caller["userName"]) == ("IAMUser", "tomasz")
    assert "sessionIssuer" not in caller and "sessionName" not in caller


def test_service_without_arn_is_named_by_type_and_invoker() -> None:
    caller = parse_api_call(cancel_task_call(TASK_ARN, identity=aws_service("braket.amazonaws.com"))).caller
    assert caller["principal"] == "AWSService:braket.amazonaws.com"
    assert caller["invokedBy"] == "braket.amazonaws.com" and "arn" not in caller


def test_identity_with_nothing_but_a_type_still_has_a_principal() -> None:
    caller = parse_api_call(create_task_call(TASK_ARN, identity={"type": "Unknown"})).caller
    assert caller["principal"] == "Unknown"


def test_optional_fields_may_all_be_missing() -> None:
    event = cancel_task_call(TASK_ARN, identity={})
    for name in ("userAgent", "sourceIPAddress", "eventID", "eventTime", "awsRegion", "requestParameters"):
        event["detail"].pop(name)
    call = parse_api_call(event)
    assert call.caller == {
        "principal": "UnknownIdentity",
        "eventName": "CancelQuantumTask",
        "eventTime": "2026-11-20T10:30:00.000Z",  # the delivery's time stands in
    }
    assert call.target_arn == TASK_ARN and call.region == "us-east-1"


def test_long_user_agent_is_cut_and_never_rejected() -> None:
    event = create_task_call(TASK_ARN)
    event["detail"]["userAgent"] = "aws-cli/2.22.1 " + "x" * 5000
    caller = parse_api_call(event).caller
    assert len(caller["userAgent"]) == USER_AGENT_LIMIT and caller["userAgent"].endswith("...")


def test_non_text_user_agent_is_left_out() -> None:
    event = create_task_call(TASK_ARN)
    event["detail"]["userAgent"] = {"sdk": "x"}
    assert "userAgent" not in parse_api_call(event).caller


# -- what is kept of the request, and what never is ----------------------------------------------
def test_nothing_secret_or_bulky_is_kept_from_any_call() -> None:
    events = [
        create_task_call(TASK_ARN, job_token=True),
        cancel_task_call(TASK_ARN),
        create_job_call(JOB_ARN),
        cancel_job_call(JOB_ARN),
        create_task_call(TASK_ARN, identity=iam_user()),
        failed_create_task_call(),
    ]
    for event in events:
        kept = json.dumps(parse_api_call(event).record())
        for secret in (*NEVER_STORED, "AKIAZZLONGTERMKEY042"):
            assert secret not in kept, (event["detail"]["eventName"], secret)
        for name in ("accessKeyId", "sessionToken", "action", "deviceParameters", "clientToken", "jobToken"):
            assert f'"{name}"' not in kept
        for name in ("mfaAuthenticated", "tlsDetails", "requestID", "errorMessage"):
            assert name not in kept


def test_create_job_keeps_hyperparameter_names_and_what_ran_only() -> None:
    parameters = parse_api_call(create_job_call(JOB_ARN)).caller["requestParameters"]
    assert parameters == {
        "jobName": "maxcut-sweep-12",
        "roleArn": "arn:aws:iam::123456789012:role/service-role/AmazonBraketJobsExecutionRole",
        "deviceConfig": {"device": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"},
        "instanceConfig": {"instanceType": "ml.m5.large", "volumeSizeInGb": 30, "instanceCount": 1},
        "stoppingCondition": {"maxRuntimeInSeconds": 7200},
        "tags": {"study": "maxcut-12"},
        "hyperParameterKeys": ["layers", "learning_rate"],
        "algorithmSpecification": {"scriptModeConfig": {"entryPoint": "qaoa.driver:main"}},
    }


def test_container_image_job_keeps_the_image_uri() -> None:
    event = create_job_call(JOB_ARN)
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/qaoa:3"
    event["detail"]["requestParameters"]["algorithmSpecification"] = {"containerImage": {"uri": image}}
    parameters = parse_api_call(event).caller["requestParameters"]
    assert parameters["algorithmSpecification"] == {"containerImage": {"uri": image}}


def test_cancel_keeps_only_the_target() -> None:
    assert parse_api_call(cancel_job_call(JOB_ARN)).caller["requestParameters"] == {"jobArn": JOB_ARN}
    assert parse_api_call(cancel_task_call(TASK_ARN)).caller["requestParameters"] == {"quantumTaskArn": TASK_ARN}


def test_unexpected_keys_inside_allowed_parameters_are_dropped() -> None:
    event = create_task_call(TASK_ARN)
    parameters = event["detail"]["requestParameters"]
    parameters["associations"] = [
        {"arn": "arn:aws:braket:us-east-1:123456789012:reservation/r-1", "type": "RESERVATION_TIME_WINDOW_ARN"},
        {"secret": SESSION_TOKEN},
    ]
    parameters["experimentalCapabilities"] = {"enabled": "ALL", "token": ACCESS_KEY_ID}
    kept = parse_api_call(event).caller["requestParameters"]
    assert kept["associations"] == [
        {"arn": "arn:aws:braket:us-east-1:123456789012:reservation/r-1", "type": "RESERVATION_TIME_WINDOW_ARN"}
    ]
    assert kept["experimentalCapabilities"] == {"enabled": "ALL"}


@pytest.mark.parametrize(
    ("shots", "kept"), [(250, 250), ("250", 250), (True, None), (-1, None), (2.5, None), ("1e3", None)]
)
def test_shots_of_an_odd_shape_are_left_out_not_rejected(shots, kept) -> None:
    event = create_task_call(TASK_ARN)
    event["detail"]["requestParameters"]["shots"] = shots
    assert parse_api_call(event).caller["requestParameters"].get("shots") == kept


def test_request_parameters_of_an_odd_shape_are_ignored() -> None:
    event = create_task_call(TASK_ARN)
    event["detail"]["requestParameters"] = "omitted"
    assert "requestParameters" not in parse_api_call(event).caller


def test_builder_event_has_the_documented_envelope() -> None:
    event = api_call("CreateJob", response_elements={"jobArn": JOB_ARN})
    assert (event["source"], event["detail-type"], event["detail"]["eventSource"]) == (
        "aws.braket",
        "AWS API Call via CloudTrail",
        "braket.amazonaws.com",
    )
    assert event["id"] != event["detail"]["eventID"]


# The target ARN of a call keys the task's or job's partition: bounded like the state events' ARNs.
@pytest.mark.parametrize(
    ("event", "field"),
    [
        (create_task_call(long_partition_arn(TASK_ARN, 442)), "detail.responseElements.quantumTaskArn"),
        (cancel_task_call(long_partition_arn(TASK_ARN, 442)), "detail.requestParameters.quantumTaskArn"),
        (create_job_call(long_partition_arn(JOB_ARN, 442)), "detail.responseElements.jobArn"),
        (cancel_job_call(long_partition_arn(JOB_ARN, 442)), "detail.requestParameters.jobArn"),
    ],
    ids=["CreateQuantumTask", "CancelQuantumTask", "CreateJob", "CancelJob"],
)
def test_a_target_arn_longer_than_braket_allows_is_rejected_saying_the_limit(event, field) -> None:
    error = _rejected(event)
    assert error.field == field
    assert "is 442 characters; Braket ARNs are at most 256" in error.problem


def test_a_percent_encoded_arn_too_long_even_decoded_says_its_decoded_length() -> None:
    long_arn = long_partition_arn(JOB_ARN, 300)
    event = cancel_job_call(JOB_ARN)
    event["detail"]["requestParameters"]["jobArn"] = long_arn.replace(":", "%3A").replace("/", "%2F")
    error = _rejected(event)
    assert error.field == "detail.requestParameters.jobArn"
    assert "is 300 characters; Braket ARNs are at most 256" in error.problem


def test_a_percent_encoded_arn_longer_than_the_limit_only_encoded_is_accepted() -> None:
    arn = long_partition_arn(JOB_ARN, 250)
    event = cancel_job_call(arn)
    event["detail"]["requestParameters"]["jobArn"] = arn.replace(":", "%3A").replace("/", "%2F")
    assert parse_api_call(event).target_arn == arn
