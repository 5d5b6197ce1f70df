"""The in-process Braket answers GetQuantumTask like the real API, through botocore's real HTTP layer.

Every test talks to a real ``boto3.client("braket")``: botocore serializes the request and parses the
response, the emulator only replaces the socket.
"""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import boto3
import botocore.handlers
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from task_monitor_devkit.braket_emulator import BraketEmulator

ACCOUNT = "123456789012"
FORTE_TASK = f"arn:aws:braket:us-east-1:{ACCOUNT}:quantum-task/0f3c9a52-7d1e-4b8a-9c6f-2e5d4a3b1c00"
PROGRAM_SET_TASK = f"arn:aws:braket:us-west-1:{ACCOUNT}:quantum-task/8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
RESERVATION = f"arn:aws:braket:us-west-1:{ACCOUNT}:reservation/2b7e1f0c-1111-4222-8333-944455556666"

# In client Config, retries["max_attempts"] counts retries (botocore adds one); total_max_attempts counts all.
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def queued_forte_task(**overrides: Any) -> dict[str, Any]:
    """A gate-model task queued on IonQ Forte 1, in JSON wire form."""
    task: dict[str, Any] = {
        "quantumTaskArn": FORTE_TASK,
        "status": "QUEUED",
        "deviceArn": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
        "deviceParameters": '{"braketSchemaHeader": {"name": "braket.device_schema.ionq.'
        'ionq_device_parameters", "version": "1"}}',
        "shots": 1000,
        "outputS3Bucket": f"amazon-braket-us-east-1-{ACCOUNT}",
        "outputS3Directory": "tasks/0f3c9a52-7d1e-4b8a-9c6f-2e5d4a3b1c00",
        "createdAt": "2026-11-20T09:00:01.120Z",
        "tags": {"project": "vqe-h2"},
        "queueInfo": {"queue": "QUANTUM_TASKS_QUEUE", "position": "17", "queuePriority": "Normal"},
        "associations": [],
        "actionMetadata": {"actionType": "braket.ir.openqasm.program"},
    }
    task.update(overrides)
    return task


def completed_program_set_task() -> dict[str, Any]:
    """A completed program-set task run in a reservation, from a hybrid job, with every optional field."""
    return {
        "quantumTaskArn": PROGRAM_SET_TASK,
        "status": "COMPLETED",
        "deviceArn": "arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3",
        "deviceParameters": "{}",
        "shots": 400,
        "outputS3Bucket": f"amazon-braket-us-west-1-{ACCOUNT}",
        "outputS3Directory": "tasks/8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "createdAt": "2026-11-21T10:15:00.000Z",
        "endedAt": "2026-11-21T10:17:30.250Z",
        "tags": {"project": "qaoa", "owner": "bob"},
        "jobArn": f"arn:aws:braket:us-west-1:{ACCOUNT}:job/1f3e5a7c-9b2d-4e6f-8a0c-3d5f7b9e1a24",
        "associations": [{"arn": RESERVATION, "type": "RESERVATION_TIME_WINDOW_ARN"}],
        "actionMetadata": {"actionType": "braket.ir.openqasm.program_set", "programCount": 4, "executableCount": 8},
        "experimentalCapabilities": {"enabled": "ALL"},
        "numSuccessfulShots": 398,
        "queueInfo": {
            "queue": "QUANTUM_TASKS_QUEUE",
            "position": "None",
            "queuePriority": "Priority",
            "message": "Task is in COMPLETED status. AmazonBraket does not show queue position for this status.",
        },
    }


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No account and no network: botocore must sign with fake keys and never look further."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def braket() -> BraketEmulator:
    emulator = BraketEmulator()
    emulator.put_task(queued_forte_task())
    emulator.put_task(completed_program_set_task())
    return emulator


def braket_client(region: str, config: Config = NO_RETRIES) -> Any:
    return boto3.client("braket", region_name=region, config=config)


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# ------------------------------------------------------------------------------------------ parsing


def test_botocore_parses_every_optional_field_of_a_completed_program_set_task(braket: BraketEmulator) -> None:
    # Given a completed program-set task in us-west-1 with every optional field
    client = braket.attach(braket_client("us-west-1"))

    # When GetQuantumTask is called through a real client
    task = client.get_quantum_task(quantumTaskArn=PROGRAM_SET_TASK, additionalAttributeNames=["QueueInfo"])

    # Then botocore's parser turns the wire form into Python types
    assert task["createdAt"] == datetime(2026, 11, 21, 10, 15, tzinfo=UTC)
    assert task["endedAt"] == datetime(2026, 11, 21, 10, 17, 30, 250000, tzinfo=UTC)
    assert task["shots"] == 400
    assert task["numSuccessfulShots"] == 398
    assert task["actionMetadata"] == {
        "actionType": "braket.ir.openqasm.program_set",
        "programCount": 4,
        "executableCount": 8,
    }
    assert task["associations"] == [{"arn": RESERVATION, "type": "RESERVATION_TIME_WINDOW_ARN"}]
    assert task["experimentalCapabilities"] == {"enabled": "ALL"}
    assert task["tags"] == {"project": "qaoa", "owner": "bob"}
    assert task["jobArn"].endswith(":job/1f3e5a7c-9b2d-4e6f-8a0c-3d5f7b9e1a24")
    assert task["queueInfo"]["queuePriority"] == "Priority"
    assert task["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert task["ResponseMetadata"]["RequestId"] == braket.calls[-1].request_id


@pytest.mark.parametrize(
    ("position", "message"),
    [("17", None), (">2000", None), ("None", "Task is in RUNNING status. No queue position.")],
)
def test_queue_position_stays_a_string(braket: BraketEmulator, position: str, message: str | None) -> None:
    # Given a task whose queue position is a number, beyond 2000, or not shown
    queue_info = {"queue": "QUANTUM_TASKS_QUEUE", "position": position, "queuePriority": "Normal"}
    if message is not None:
        queue_info["message"] = message
    braket.update_task(FORTE_TASK, queueInfo=queue_info)
    client = braket.attach(braket_client("us-east-1"))

    # When its queue info is asked for
    task = client.get_quantum_task(quantumTaskArn=FORTE_TASK, additionalAttributeNames=["QueueInfo"])

    # Then the position arrives as the string Braket sent
    assert task["queueInfo"] == queue_info
    assert isinstance(task["queueInfo"]["position"], str)


def test_queue_info_comes_back_only_when_asked_for(braket: BraketEmulator) -> None:
    # Given a queued task and a client
    client = braket.attach(braket_client("us-east-1"))

    # When it is fetched without, then with, additionalAttributeNames=['QueueInfo']
    plain = client.get_quantum_task(quantumTaskArn=FORTE_TASK)
    with_queue = client.get_quantum_task(quantumTaskArn=FORTE_TASK, additionalAttributeNames=["QueueInfo"])

    # Then only the second answer carries queueInfo, and calls records what was asked
    assert "queueInfo" not in plain
    assert with_queue["queueInfo"]["position"] == "17"
    assert [call.additional_attribute_names for call in braket.calls] == [(), ("QueueInfo",)]


def test_an_unsupported_additional_attribute_is_a_validation_error(braket: BraketEmulator) -> None:
    # Given a client; When an attribute Braket does not support is asked for
    client = braket.attach(braket_client("us-east-1"))
    with pytest.raises(ClientError) as excinfo:
        client.get_quantum_task(quantumTaskArn=FORTE_TASK, additionalAttributeNames=["Bogus"])

    # Then the server-side validation answers 400, as botocore does not check enums
    assert error_of(excinfo) == ("ValidationException", 400)


# ------------------------------------------------------------------------------------------ regions


def test_a_task_is_not_found_from_another_region(braket: BraketEmulator) -> None:
    # Given a task created in us-east-1 and a client for eu-west-2
    client = braket.attach(braket_client("eu-west-2"))

    # When the eu-west-2 API is asked for it
    with pytest.raises(ClientError) as excinfo:
        client.get_quantum_task(quantumTaskArn=FORTE_TASK)

    # Then it answers ResourceNotFoundException, as the real API does
    assert error_of(excinfo) == ("ResourceNotFoundException", 404)
    assert braket.calls[-1].region == "eu-west-2"
    assert braket.calls[-1].status_code == 404


def test_an_unknown_task_is_not_found(braket: BraketEmulator) -> None:
    # Given a task ARN nobody created; When it is fetched in its own region
    client = braket.attach(braket_client("us-east-1"))
    with pytest.raises(ClientError) as excinfo:
        client.get_quantum_task(quantumTaskArn=FORTE_TASK.replace("0f3c9a52", "deadbeef"))

    # Then the answer is ResourceNotFoundException with a message
    assert error_of(excinfo) == ("ResourceNotFoundException", 404)
    assert "not found" in excinfo.value.response["Error"]["Message"]


def test_a_hidden_task_is_not_found_then_found(braket: BraketEmulator) -> None:
    # Given a task Braket does not show yet for two calls (eventual consistency after creation)
    braket.hide_task(FORTE_TASK, calls=2)
    client = braket.attach(braket_client("us-east-1"))

    # When it is fetched three times
    codes = []
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            client.get_quantum_task(quantumTaskArn=FORTE_TASK)
        codes.append(error_of(excinfo))
    task = client.get_quantum_task(quantumTaskArn=FORTE_TASK)

    # Then the first two are not found and the third finds it
    assert codes == [("ResourceNotFoundException", 404)] * 2
    assert task["status"] == "QUEUED"
    assert [call.status_code for call in braket.calls] == [404, 404, 200]


# ------------------------------------------------------------------------------------ injected errors


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 429),
        ("InternalServiceException", 500),
        ("AccessDeniedException", 403),
        ("ResourceNotFoundException", 404),
        ("ValidationException", 400),
        ("ServiceQuotaExceededException", 402),
        ("ConflictException", 409),
        ("DeviceOfflineException", 424),
        ("DeviceRetiredException", 410),
    ],
)
def test_an_injected_error_surfaces_with_its_code_and_status(braket: BraketEmulator, code: str, status: int) -> None:
    # Given an injected error and a client that does not retry
    braket.fail_next(code, message=f"{code} for the test")
    client = braket.attach(braket_client("us-east-1"))

    # When the task is fetched
    with pytest.raises(ClientError) as excinfo:
        client.get_quantum_task(quantumTaskArn=FORTE_TASK)

    # Then botocore raises ClientError with the code, the service model's status and the message
    assert error_of(excinfo) == (code, status)
    assert excinfo.value.response["Error"]["Message"] == f"{code} for the test"
    assert (braket.calls[-1].error_code, braket.calls[-1].status_code) == (code, status)
    # And the error was used up
    assert client.get_quantum_task(quantumTaskArn=FORTE_TASK)["status"] == "QUEUED"


def test_an_error_injected_for_one_task_leaves_others_alone_and_is_used_times_over(
    braket: BraketEmulator,
) -> None:
    # Given two access-denied answers queued for the Forte task only
    braket.fail_next("AccessDeniedException", times=2, task_arn=FORTE_TASK)
    east, west = braket.attach(braket_client("us-east-1")), braket.attach(braket_client("us-west-1"))

    # When the other task is fetched, then the Forte task three times
    other = west.get_quantum_task(quantumTaskArn=PROGRAM_SET_TASK)
    outcomes = []
    for _ in range(3):
        try:
            outcomes.append(east.get_quantum_task(quantumTaskArn=FORTE_TASK)["status"])
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    # Then only the Forte task's first two calls fail
    assert other["status"] == "COMPLETED"
    assert outcomes == ["AccessDeniedException", "AccessDeniedException", "QUEUED"]


def test_an_error_braket_does_not_have_is_refused() -> None:
    # Given an emulator; When an error code outside Braket's model is injected; Then it is refused
    with pytest.raises(ValueError, match="not a Braket error"):
        BraketEmulator().fail_next("SlowDown")


def test_throttling_then_success_is_retried_by_botocore_standard_mode(
    braket: BraketEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one throttle and a client in standard retry mode, and sleeping recorded, not done
    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    braket.fail_next("ThrottlingException")
    client = braket.attach(braket_client("us-east-1", Config(retries={"mode": "standard", "max_attempts": 3})))

    # When the task is fetched once
    task = client.get_quantum_task(quantumTaskArn=FORTE_TASK, additionalAttributeNames=["QueueInfo"])

    # Then botocore backed off once and retried, and the emulator answered both attempts
    assert task["status"] == "QUEUED"
    assert task["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(sleeps) == 1
    assert [(call.error_code, call.status_code) for call in braket.calls] == [
        ("ThrottlingException", 429),
        (None, 200),
    ]


# -------------------------------------------------------------------------------------- other calls


def test_an_operation_it_does_not_emulate_fails_loudly(braket: BraketEmulator) -> None:
    # Given a client; When it calls operations other than GetQuantumTask
    client = braket.attach(braket_client("us-east-1"))
    with pytest.raises(ClientError) as search:
        client.search_quantum_tasks(filters=[])
    with pytest.raises(ClientError) as cancel:
        client.cancel_quantum_task(quantumTaskArn=FORTE_TASK, clientToken="token-1")

    # Then each is a validation error naming the operation, never a silent success
    for excinfo, operation in ((search, "SearchQuantumTasks"), (cancel, "CancelQuantumTask")):
        assert error_of(excinfo) == ("ValidationException", 400)
        assert f"does not implement {operation}" in excinfo.value.response["Error"]["Message"]
    assert [call.operation for call in braket.calls] == ["SearchQuantumTasks", "CancelQuantumTask"]
    assert braket.calls[1].quantum_task_arn is None


def test_the_request_sent_carries_the_task_arn_url_encoded_in_the_path(braket: BraketEmulator) -> None:
    # Given a client with a spy on what botocore actually sends
    client = braket.attach(braket_client("us-east-1"))
    sent: list[tuple[str, str]] = []
    client.meta.events.register("before-send.braket", lambda request, **_: sent.append((request.method, request.url)))

    # When the task is fetched with queue info
    client.get_quantum_task(quantumTaskArn=FORTE_TASK, additionalAttributeNames=["QueueInfo"])

    # Then one GET went to the regional endpoint, the ARN one path segment with ':' and '/' escaped
    [(method, url)] = sent
    parts = urlsplit(url)
    assert (method, parts.hostname) == ("GET", "braket.us-east-1.amazonaws.com")
    segment = parts.path.removeprefix("/quantum-task/")
    assert segment == quote(FORTE_TASK, safe="")
    assert ":" not in segment and "/" not in segment
    assert unquote(segment) == FORTE_TASK
    assert parse_qs(parts.query) == {"additionalAttributeNames": ["QueueInfo"]}
    assert braket.calls[-1].url == url
    assert braket.calls[-1].quantum_task_arn == FORTE_TASK


# -------------------------------------------------------------------------------------------- moto


def test_attach_beats_motos_built_in_handler_inside_mock_aws(braket: BraketEmulator) -> None:
    with mock_aws():
        # Given moto's mock, which answers Braket with 404 "Not yet implemented"
        unserved = braket_client("us-east-1")
        with pytest.raises(ClientError) as excinfo:
            unserved.get_quantum_task(quantumTaskArn=FORTE_TASK)
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert braket.calls == []

        # When the emulator is attached to a client
        client = braket.attach(braket_client("us-east-1"))

        # Then the emulator answers it
        assert client.get_quantum_task(quantumTaskArn=FORTE_TASK)["status"] == "QUEUED"
        assert len(braket.calls) == 1


def test_install_serves_clients_made_while_active_and_lets_other_services_through(
    braket: BraketEmulator,
) -> None:
    with mock_aws(), braket.install():
        # Given clients made while installed, inside moto's mock
        east = boto3.client("braket", region_name="us-east-1")
        s3 = boto3.client("s3", region_name="us-east-1")

        # When they are used
        task = east.get_quantum_task(quantumTaskArn=FORTE_TASK, additionalAttributeNames=["QueueInfo"])
        s3.create_bucket(Bucket="audit-exports")

        # Then the emulator answers Braket and moto still answers S3
        assert task["queueInfo"]["position"] == "17"
        assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["audit-exports"]
        assert [call.operation for call in braket.calls] == ["GetQuantumTask"]


def test_after_install_exits_no_client_sees_the_emulator(braket: BraketEmulator) -> None:
    handlers_before = list(botocore.handlers.BUILTIN_HANDLERS)
    with mock_aws():
        # Given a client made while installed
        with braket.install():
            made_during = boto3.client("braket", region_name="us-east-1")
            made_during.get_quantum_task(quantumTaskArn=FORTE_TASK)

        # When install has exited
        made_after = boto3.client("braket", region_name="us-east-1")

        # Then neither a new client nor the one made meanwhile reaches the emulator: moto answers
        for client in (made_after, made_during):
            with pytest.raises(ClientError) as excinfo:
                client.get_quantum_task(quantumTaskArn=FORTE_TASK)
            assert excinfo.value.response["Error"]["Message"] == "Not yet implemented"
    assert len(braket.calls) == 1
    handlers_after = list(botocore.handlers.BUILTIN_HANDLERS)
    assert handlers_after == handlers_before


def test_install_sets_aside_a_boto3_default_session_made_before_it(
    braket: BraketEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given boto3's default session already made (it caches the built-in handlers it was made with)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.client("braket", region_name="us-east-1")
    earlier_session = boto3.DEFAULT_SESSION

    # When boto3.client is called while installed
    with braket.install():
        task = boto3.client("braket", region_name="us-east-1").get_quantum_task(quantumTaskArn=FORTE_TASK)

    # Then the client is served, and the earlier default session is back afterwards
    assert task["status"] == "QUEUED"
    assert boto3.DEFAULT_SESSION is earlier_session


# ------------------------------------------------------------------------------------------- state


def test_update_task_changes_what_the_next_call_sees(braket: BraketEmulator) -> None:
    # Given a queued task
    client = braket.attach(braket_client("us-east-1"))

    # When it completes, and its queue info is dropped
    braket.update_task(
        FORTE_TASK, status="COMPLETED", endedAt="2026-11-20T11:43:39.871Z", numSuccessfulShots=1000, queueInfo=None
    )
    task = client.get_quantum_task(quantumTaskArn=FORTE_TASK, additionalAttributeNames=["QueueInfo"])

    # Then the next call shows the new state
    assert task["status"] == "COMPLETED"
    assert task["endedAt"] == datetime(2026, 11, 20, 11, 43, 39, 871000, tzinfo=UTC)
    assert task["numSuccessfulShots"] == 1000
    assert "queueInfo" not in task


def test_the_emulator_keeps_its_own_copy_of_a_task(braket: BraketEmulator) -> None:
    # Given a description put, then changed by its owner
    description = queued_forte_task(quantumTaskArn=FORTE_TASK.replace("0f3c9a52", "11111111"))
    braket.put_task(description)
    description["status"] = "CANCELLED"

    # When it is fetched; Then the stored copy is unchanged
    client = braket.attach(braket_client("us-east-1"))
    assert client.get_quantum_task(quantumTaskArn=description["quantumTaskArn"])["status"] == "QUEUED"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda task: task.pop("createdAt"), "missing"),
        (lambda task: task.update(QueueInfo={}), "unknown"),
        (lambda task: task.update(createdAt=datetime(2026, 11, 20, tzinfo=UTC)), "ISO-8601"),
        (lambda task: task.update(quantumTaskArn="arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"), "ARN"),
    ],
)
def test_put_task_refuses_what_the_real_api_never_returns(change: Any, complaint: str) -> None:
    # Given a description broken in one way
    description = copy.deepcopy(queued_forte_task())
    change(description)

    # When it is put; Then it is refused with a reason
    with pytest.raises(ValueError, match=complaint):
        BraketEmulator().put_task(description)


# ------------------------------------------------------------------------------------------- GetJob

JOB = f"arn:aws:braket:us-west-2:{ACCOUNT}:job/7b9d1f3a-5c2e-4a8b-9d6f-0e2a4c6b8d13"  # job/<uuid>: not its name


def running_job(**overrides: Any) -> dict[str, Any]:
    """A script-mode hybrid job running on SV1, in JSON wire form (GetJob's required fields and more)."""
    job: dict[str, Any] = {
        "jobArn": JOB,
        "jobName": "qaoa-maxcut-12",
        "status": "RUNNING",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/BraketJobRole",
        "createdAt": "2026-11-23T15:40:02.517Z",
        "startedAt": "2026-11-23T15:44:39.208Z",
        "algorithmSpecification": {"scriptModeConfig": {"entryPoint": "qaoa:main", "s3Uri": "s3://b/src.tar.gz"}},
        "outputDataConfig": {"s3Path": "s3://b/output"},
        "instanceConfig": {"instanceType": "ml.m5.large", "volumeSizeInGb": 30},
        "deviceConfig": {"device": "arn:aws:braket:::device/quantum-simulator/amazon/sv1"},
        "queueInfo": {"queue": "JOBS_QUEUE", "position": "None", "message": "Job is running."},
        "events": [{"eventType": "RUNNING", "timeOfEvent": "2026-11-23T15:44:39.208Z", "message": "started"}],
    }
    job.update(overrides)
    return job


def test_get_job_is_parsed_by_botocore_with_times_as_datetimes(braket: BraketEmulator) -> None:
    # Given a stored job; When GetJob is called in its region with queue info
    braket.put_job(running_job())
    client = braket.attach(braket_client("us-west-2"))
    job = client.get_job(jobArn=JOB, additionalAttributeNames=["QueueInfo"])

    # Then botocore parsed it: timestamps (nested ones too) are datetimes, queue info is there
    assert job["status"] == "RUNNING"
    assert job["startedAt"] == datetime(2026, 11, 23, 15, 44, 39, 208000, tzinfo=UTC)
    assert job["events"][0]["timeOfEvent"] == datetime(2026, 11, 23, 15, 44, 39, 208000, tzinfo=UTC)
    assert job["queueInfo"]["position"] == "None"
    (call,) = braket.calls
    assert (call.operation, call.region, call.job_arn, call.quantum_task_arn) == ("GetJob", "us-west-2", JOB, None)
    assert call.additional_attribute_names == ("QueueInfo",)


def test_get_job_leaves_queue_info_out_unless_asked(braket: BraketEmulator) -> None:
    braket.put_job(running_job())
    assert "queueInfo" not in braket.attach(braket_client("us-west-2")).get_job(jobArn=JOB)


def test_the_job_arn_travels_url_encoded_in_the_path(braket: BraketEmulator) -> None:
    braket.put_job(running_job())
    client = braket.attach(braket_client("us-west-2"))
    client.get_job(jobArn=JOB)
    parts = urlsplit(braket.calls[-1].url)
    assert parts.path == "/job/" + quote(JOB, safe="")


def test_a_job_is_not_found_from_another_region_nor_when_unknown(braket: BraketEmulator) -> None:
    braket.put_job(running_job())
    with pytest.raises(ClientError) as elsewhere:
        braket.attach(braket_client("us-east-1")).get_job(jobArn=JOB)
    with pytest.raises(ClientError) as unknown:
        braket.attach(braket_client("us-west-2")).get_job(jobArn=JOB.replace("7b9d1f3a", "deadbeef"))
    assert error_of(elsewhere) == error_of(unknown) == ("ResourceNotFoundException", 404)


def test_a_hidden_job_is_not_found_then_found(braket: BraketEmulator) -> None:
    braket.put_job(running_job())
    braket.hide_job(JOB, calls=1)
    client = braket.attach(braket_client("us-west-2"))
    with pytest.raises(ClientError) as first:
        client.get_job(jobArn=JOB)
    assert error_of(first) == ("ResourceNotFoundException", 404)
    assert client.get_job(jobArn=JOB)["status"] == "RUNNING"


def test_an_error_injected_for_a_job_leaves_tasks_alone(braket: BraketEmulator) -> None:
    # Given a throttle queued for the job only
    braket.put_job(running_job())
    braket.fail_next("ThrottlingException", job_arn=JOB)
    east, west = braket.attach(braket_client("us-east-1")), braket.attach(braket_client("us-west-2"))

    # When a task is fetched, then the job twice; Then only the job's first call fails
    assert east.get_quantum_task(quantumTaskArn=FORTE_TASK)["status"] == "QUEUED"
    with pytest.raises(ClientError) as throttled:
        west.get_job(jobArn=JOB)
    assert error_of(throttled) == ("ThrottlingException", 429)
    assert west.get_job(jobArn=JOB)["status"] == "RUNNING"


def test_an_error_injected_for_any_call_answers_get_job_too(braket: BraketEmulator) -> None:
    braket.put_job(running_job())
    braket.fail_next("InternalServiceException")
    with pytest.raises(ClientError) as failed:
        braket.attach(braket_client("us-west-2")).get_job(jobArn=JOB)
    assert error_of(failed) == ("InternalServiceException", 500)


def test_a_fault_names_one_resource_only() -> None:
    with pytest.raises(ValueError, match="not both"):
        BraketEmulator().fail_next("ThrottlingException", task_arn=FORTE_TASK, job_arn=JOB)


def test_update_job_changes_what_the_next_call_sees(braket: BraketEmulator) -> None:
    braket.put_job(running_job())
    braket.update_job(JOB, status="COMPLETED", endedAt="2026-11-23T16:02:10.954Z", queueInfo=None)
    job = braket.attach(braket_client("us-west-2")).get_job(jobArn=JOB, additionalAttributeNames=["QueueInfo"])
    assert job["status"] == "COMPLETED" and "queueInfo" not in job
    with pytest.raises(ValueError, match="cannot change jobArn"):
        braket.update_job(JOB, jobArn=JOB + "-2")


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda job: job.pop("roleArn"), "missing"),
        (lambda job: job.update(hyperparameters={}), "unknown"),
        (lambda job: job.update(startedAt=1763912679), "ISO-8601"),
        (lambda job: job["events"].append({"eventType": "FAILED", "timeOfEvent": "yesterday"}), "timeOfEvent"),
        (lambda job: job.update(jobArn=FORTE_TASK), "job ARN"),
    ],
)
def test_put_job_refuses_what_the_real_api_never_returns(change: Any, complaint: str) -> None:
    job = copy.deepcopy(running_job())
    change(job)
    with pytest.raises(ValueError, match=complaint):
        BraketEmulator().put_job(job)
