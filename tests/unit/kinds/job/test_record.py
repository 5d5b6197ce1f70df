"""A job's audit record: the event, GetJob's answer (user data kept out), callers, timings, task roll-up."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from task_monitor.domain.callers import Caller, principal_only
from task_monitor.domain.enrichment import EnrichmentFailure
from task_monitor.domain.kinds.job.event import parse_job_event
from task_monitor.domain.kinds.job.record import build_job_record, summarize_tasks
from task_monitor.domain.ports import HistoryFacts
from task_monitor_devkit.builders.job import (
    JOB_ARN,
    JOB_CREATED_AT,
    JOB_ENDED_AT,
    JOB_STARTED_AT,
    SECRET_HYPERPARAMETER,
    job_arn,
    job_description,
    job_event,
)
from task_monitor_devkit.builders.task import FORTE, SV1

ALICE: Caller = {"principal": "arn:aws:iam::123456789012:role/Researcher", "sessionName": "alice"}
BOB: Caller = {"principal": "arn:aws:iam::123456789012:user/bob"}


def _record(status: str = "COMPLETED", described: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    event = kwargs.pop("event", None) or job_event(status)
    answer = job_description(status) if described is None else described
    return dict(build_job_record(parse_job_event(event), answer, enriched_at="2026-11-23T16:02:12.000Z", **kwargs))


def test_the_record_carries_the_event_and_getjob_facts() -> None:
    record = _record("FAILED")
    assert {
        "eventId": job_event("FAILED")["id"],
        "eventTime": "2026-11-23T16:02:11.000Z",
        "jobArn": JOB_ARN,
        "jobName": "vqe-h2-run-7",
        "status": "FAILED",
        "accountId": "123456789012",
        "region": "us-east-1",
        "createdAt": JOB_CREATED_AT,
        "startedAt": JOB_STARTED_AT,
        "endedAt": JOB_ENDED_AT,
        "deviceArn": FORTE,
        "failureReason": "AlgorithmError: ModuleNotFoundError: No module named 'scipy'",
        "billableDuration": 1051746,
        "roleArn": "arn:aws:iam::123456789012:role/BraketJobRole",
        "instanceConfig": {"instanceType": "ml.m5.large", "volumeSizeInGb": 30, "instanceCount": 1},
        "deviceConfig": {"device": FORTE},
        "tags": {"project": "vqe-h2", "owner": "alice"},
        "associations": [],
        "queueInfo": {"queue": "JOBS_QUEUE", "position": "None", "message": "Job is in FAILED status."},
        "statusAtEnrichment": "FAILED",
        "enrichedAt": "2026-11-23T16:02:12.000Z",
        "outputS3Path": "s3://amazon-braket-us-east-1-123456789012/jobs/vqe-h2-run-7/output",
    }.items() <= record.items()
    assert record["events"][-1] == {"eventType": "FAILED", "timeOfEvent": JOB_ENDED_AT}
    assert record["timings"] == {"queuedSeconds": 276.691, "runningSeconds": 1051.746, "totalSeconds": 1328.437}


def test_hyperparameter_values_and_input_data_details_are_never_kept() -> None:
    record = _record()
    text = json.dumps(record)
    assert SECRET_HYPERPARAMETER not in text and "0.01" not in text
    assert record["hyperParameterNames"] == ["db_password", "learning_rate"]
    assert "hyperParameters" not in record and "inputDataConfig" not in record
    assert record["inputS3Uris"] == ["s3://research-123456789012/molecules/h2.json"]
    assert "application/json" not in text and "checkpointConfig" not in record


def test_algorithm_specification_keeps_where_the_code_is_and_nothing_else() -> None:
    script = _record()["algorithmSpecification"]
    assert script == {
        "entryPoint": "vqe.run:main",
        "s3Uri": "s3://amazon-braket-us-east-1-123456789012/jobs/vqe-h2-run-7/script/source.tar.gz",
    }
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/vqe:latest"
    container = _record(described=job_description(algorithmSpecification={"containerImage": {"uri": image}}))
    assert container["algorithmSpecification"] == {"containerImageUri": image}


def test_botocore_datetimes_become_stored_instants() -> None:
    answer = job_description("COMPLETED")
    answer["createdAt"] = datetime(2026, 11, 23, 15, 40, 2, 517000, tzinfo=UTC)
    answer["events"] = [{"eventType": "RUNNING", "timeOfEvent": datetime(2026, 11, 23, 15, 44, 39, tzinfo=UTC)}]
    record = _record(described=answer, event=job_event(minimal=True))
    assert record["createdAt"] == JOB_CREATED_AT
    assert record["events"] == [{"eventType": "RUNNING", "timeOfEvent": "2026-11-23T15:44:39.000Z"}]


def test_a_minimal_event_takes_its_times_and_name_from_getjob() -> None:
    record = _record(event=job_event("COMPLETED", minimal=True))
    assert (record["createdAt"], record["startedAt"], record["endedAt"]) == (
        JOB_CREATED_AT,
        JOB_STARTED_AT,
        JOB_ENDED_AT,
    )
    assert record["jobName"] == "vqe-h2-run-7"


def test_a_queued_event_described_after_the_job_ended_takes_no_start_or_end() -> None:
    record = _record(event=job_event("QUEUED", minimal=True), described=job_description("COMPLETED"))
    assert "startedAt" not in record and "endedAt" not in record
    assert record["statusAtEnrichment"] == "COMPLETED"


def test_without_getjob_the_record_is_kept_with_the_error_and_the_event_s_name() -> None:
    event = job_event("COMPLETED", minimal=True, jobName="vqe-h2-run-7")  # the ARN ends in a UUID, not the name
    failure = EnrichmentFailure("AccessDeniedException", "not authorized to GetJob")
    record = dict(build_job_record(parse_job_event(event), None, enrichment_failure=failure))
    assert record["enrichmentError"] == {"code": "AccessDeniedException", "message": "not authorized to GetJob"}
    assert record["jobName"] == "vqe-h2-run-7"
    assert {"statusAtEnrichment", "enrichedAt", "timings", "deviceArn", "createdBy"}.isdisjoint(record)


def test_the_event_s_device_and_name_are_used_when_getjob_has_none() -> None:
    event = job_event(minimal=True, deviceArn=SV1, jobName="from-event")
    record = dict(build_job_record(parse_job_event(event), None))
    assert (record["deviceArn"], record["jobName"]) == (SV1, "from-event")
    local = job_event(minimal=True, device="local:braket/braket.local.qubit")
    record = dict(build_job_record(parse_job_event(local), None))
    assert "deviceArn" not in record and record["deviceConfig"] == {"device": "local:braket/braket.local.qubit"}


def test_callers_come_from_the_history_when_present() -> None:
    record = _record("CANCELLED", history=HistoryFacts(created_by=ALICE, cancelled_by=BOB))
    # who, not the person's details (domain/callers.py: those stay on the call's own history item)
    assert (record["createdBy"], record["cancelledBy"]) == (principal_only(ALICE), principal_only(BOB))
    assert "sessionName" not in record["createdBy"]
    unknown = _record("CANCELLED", history=HistoryFacts())
    assert "createdBy" not in unknown and "cancelledBy" not in unknown


def test_timings_fall_back_to_the_history_s_running_event() -> None:
    event = job_event("COMPLETED", minimal=True)
    described = job_description("COMPLETED")
    del described["startedAt"]
    record = _record(event=event, described=described, history=HistoryFacts(running_since="2026-11-23T15:50:00.000Z"))
    assert record["timings"] == {"queuedSeconds": 597.483, "runningSeconds": 730.954, "totalSeconds": 1328.437}


def test_a_running_event_times_the_queue_only() -> None:
    record = _record("RUNNING", event=job_event("RUNNING", minimal=True), described=job_description("QUEUED"))
    assert record["timings"] == {"queuedSeconds": 277.483}  # created -> the RUNNING event


def _task(status: str, shots: int | None = 1000, successful: int | None = None, **timings: float) -> dict[str, Any]:
    task: dict[str, Any] = {"status": status}
    if shots is not None:
        task["shots"] = shots
    if successful is not None:
        task["numSuccessfulShots"] = successful
    if timings:
        task["timings"] = timings
    return task


def test_the_task_roll_up_counts_states_shots_and_times() -> None:
    tasks = [
        _task("COMPLETED", successful=1000, queuedSeconds=10.0, runningSeconds=2.5),
        _task("COMPLETED", successful=990, queuedSeconds=20.0, runningSeconds=3.5),
        _task("FAILED", successful=0, queuedSeconds=30.0),
        _task("RUNNING", shots=500),
    ]
    assert summarize_tasks(tasks) == {
        "count": 4,
        "byStatus": {"COMPLETED": 2, "FAILED": 1, "RUNNING": 1},
        "shotsRequested": 3500,
        "successfulShots": 1990,
        "queuedSeconds": {"total": 60.0, "mean": 20.0, "tasks": 3},
        "runningSeconds": {"total": 6.0, "mean": 3.0, "tasks": 2},
    }


def test_a_job_without_tasks_rolls_up_to_zero() -> None:
    assert summarize_tasks([]) == {"count": 0, "byStatus": {}}
    assert _record(tasks=[])["taskSummary"] == {"count": 0, "byStatus": {}}


def test_the_roll_up_is_only_there_when_the_tasks_were_read() -> None:
    assert "taskSummary" not in _record("RUNNING")
    assert _record(tasks=[_task("COMPLETED")])["taskSummary"]["count"] == 1


# -- the job's name: GetJob, the event, the SDK's default output path, an older ARN; never a UUID ----
UUID_JOB_ARN = "arn:aws:braket:us-east-1:123456789012:job/acc51817-2b7a-48ed-8dee-fffc87703b10"
SDK_OUTPUT = "s3://amazon-braket-us-east-1-123456789012/jobs/run-ghz-hybrid/1795447202517/data"
GETJOB_DENIED = EnrichmentFailure("AccessDeniedException", "not authorized to GetJob")


def _uuid_job_record(described: dict[str, Any] | None = None, **event_fields: Any) -> dict[str, Any]:
    event = parse_job_event(job_event("COMPLETED", arn=UUID_JOB_ARN, minimal=True, **event_fields))
    failure = GETJOB_DENIED if described is None else None
    return dict(build_job_record(event, described, enrichment_failure=failure))


def test_getjob_names_the_job_even_when_the_event_says_otherwise() -> None:
    described = job_description(arn=UUID_JOB_ARN, jobName="run-ghz-hybrid")
    assert _uuid_job_record(described, jobName="stale-name")["jobName"] == "run-ghz-hybrid"


def test_without_getjob_the_event_names_the_job() -> None:
    assert _uuid_job_record(jobName="run-ghz-hybrid", outputDataConfig={"s3Path": SDK_OUTPUT})["jobName"] == (
        "run-ghz-hybrid"
    )


@pytest.mark.parametrize(
    "path",
    [
        SDK_OUTPUT,  # the SDK's default today: jobs/<name>/<epoch ms>/data
        "s3://amazon-braket-us-east-1-123456789012/jobs/run-ghz-hybrid/data",  # older SDKs, and its docstring
        "s3://amazon-braket-us-east-1-123456789012/jobs/run-ghz-hybrid/1795447202517/data/",
    ],
)
def test_without_getjob_or_an_event_name_the_sdk_s_default_output_path_names_the_job(path: str) -> None:
    record = _uuid_job_record(outputDataConfig={"s3Path": path})
    assert record["jobName"] == "run-ghz-hybrid" and record["outputS3Path"] == path


def test_getjob_s_output_path_names_the_job_when_its_answer_has_no_name() -> None:
    described = job_description(arn=UUID_JOB_ARN, jobName=" ", outputDataConfig={"s3Path": SDK_OUTPUT})
    assert _uuid_job_record(described)["jobName"] == "run-ghz-hybrid"


@pytest.mark.parametrize(
    "path",
    [
        "s3://my-research-bucket/jobs/run-ghz-hybrid/1795447202517/data",  # a bucket the user chose
        "s3://amazon-braket-us-west-2-123456789012/jobs/run-ghz-hybrid/1795447202517/data",  # another region's
        "s3://amazon-braket-us-east-1-210987654321/jobs/run-ghz-hybrid/1795447202517/data",  # another account's
        "s3://amazon-braket-us-east-1-123456789012/jobs/run-ghz-hybrid/output",  # not the SDK's layout
        "s3://amazon-braket-us-east-1-123456789012/experiments/jobs/run-ghz-hybrid/data",
        "s3://amazon-braket-us-east-1-123456789012/jobs/acc51817-2b7a-48ed-8dee-fffc87703b10/data",  # a UUID
        f"s3://amazon-braket-us-east-1-123456789012/jobs/{'a' * 51}/data",  # longer than a job name can be
        "s3://amazon-braket-us-east-1-123456789012/jobs/run--/data",  # not a job name's shape
    ],
)
def test_an_output_path_that_is_not_the_sdk_s_default_names_nothing(path: str) -> None:
    record = _uuid_job_record(outputDataConfig={"s3Path": path})
    assert "jobName" not in record and record["outputS3Path"] == path


def test_a_uuid_arn_alone_gives_no_name_and_the_record_keeps_the_arn() -> None:
    record = _uuid_job_record()
    assert "jobName" not in record and record["jobArn"] == UUID_JOB_ARN
    uuid = UUID_JOB_ARN.rsplit("/", 1)[-1]
    assert [name for name, value in record.items() if name != "jobArn" and uuid in json.dumps(value)] == []


def test_an_older_arn_s_name_is_the_last_resort() -> None:
    event = parse_job_event(job_event(arn=job_arn("braket-job-default-1795447202517"), minimal=True))
    assert build_job_record(event, None)["jobName"] == "braket-job-default-1795447202517"
    named = parse_job_event(job_event(arn=job_arn("braket-job-default-1795447202517"), minimal=True, jobName="x"))
    assert build_job_record(named, None)["jobName"] == "x"


def test_fields_the_event_could_not_give_are_named_on_the_record_and_the_rest_comes_from_getjob() -> None:
    event = job_event("FAILED", startedAt=1763912679, failureReason={"password": "hunter2"})
    record = _record("FAILED", event=event)
    assert record["ignoredFields"] == ["detail.failureReason", "detail.startedAt"]
    assert record["startedAt"] == JOB_STARTED_AT  # GetJob's
    assert record["failureReason"].startswith("AlgorithmError") and "hunter2" not in json.dumps(record)
    assert "ignoredFields" not in _record("FAILED")
