"""A job's notification: a subject to scan, an email a person reads, the record as JSON, filter attributes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from task_monitor.domain.callers import Caller
from task_monitor.domain.enrichment import EnrichmentFailure
from task_monitor.domain.kinds.job.event import parse_job_event
from task_monitor.domain.kinds.job.notification import render_job_notification
from task_monitor.domain.kinds.job.record import JobRecord, build_job_record
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.notification import render_notification
from task_monitor.domain.kinds.task.record import build_record
from task_monitor.domain.notification_model import SCHEMA_VERSION
from task_monitor.domain.ports import HistoryFacts
from task_monitor_devkit.builders.job import JOB_ARN, JOB_NAME, SECRET_HYPERPARAMETER, job_description, job_event
from task_monitor_devkit.builders.task import FORTE, description, task_event

ALICE: Caller = {"principal": "arn:aws:iam::123456789012:role/Researcher", "sessionName": "alice"}
BOB: Caller = {"principal": "arn:aws:iam::123456789012:user/bob", "sourceIPAddress": "198.51.100.7"}


def _tasks(completed: int, failed: int = 0) -> list[dict[str, Any]]:
    done = {"status": "COMPLETED", "shots": 100, "numSuccessfulShots": 100, "timings": {"queuedSeconds": 30.0}}
    broken = {"status": "FAILED", "shots": 100, "numSuccessfulShots": 0}
    return [dict(done) for _ in range(completed)] + [dict(broken) for _ in range(failed)]


def _record(status: str = "COMPLETED", *, history: HistoryFacts | None = None, **event_fields: Any) -> JobRecord:
    return build_job_record(
        parse_job_event(job_event(status, **event_fields)),
        job_description(status),
        history=history or HistoryFacts(created_by=ALICE),
        tasks=_tasks(11, 1),
    )


def test_the_subject_names_status_job_and_task_count() -> None:
    assert render_job_notification(_record()).subject == "Braket job COMPLETED: vqe-h2-run-7, 12 tasks"
    # Without GetJob's answer the name is the event's (a job's ARN ends in a UUID, not its name)
    one = build_job_record(parse_job_event(job_event(jobName=JOB_NAME)), None, tasks=_tasks(1))
    assert render_job_notification(one).subject == "Braket job COMPLETED: vqe-h2-run-7, 1 task"


def test_a_long_or_non_ascii_name_still_gives_a_valid_sns_subject() -> None:
    record = build_job_record(parse_job_event(job_event()), job_description(jobName="Ωmega-" + "x" * 200))
    subject = render_job_notification(record).subject
    assert subject.isascii() and len(subject) < 100 and subject.startswith("Braket job COMPLETED: ?mega-")


UUID_JOB_ARN = "arn:aws:braket:us-east-1:123456789012:job/acc51817-2b7a-48ed-8dee-fffc87703b10"


def test_a_job_whose_name_is_unknown_is_called_by_its_short_id_never_its_uuid() -> None:
    failure = EnrichmentFailure("AccessDeniedException", "not authorized to GetJob")
    event = parse_job_event(job_event("CANCELLED", arn=UUID_JOB_ARN, minimal=True))
    notification = render_job_notification(build_job_record(event, None, enrichment_failure=failure, tasks=[]))
    assert notification.subject == "Braket job CANCELLED: job acc51817, 0 tasks"
    assert "\nName               unknown (job acc51817)\n" in notification.email_text
    assert f"\nJob                {UUID_JOB_ARN}\n" in notification.email_text  # the id is still all there
    assert "jobName" not in json.loads(notification.json_body)


@pytest.mark.parametrize(
    ("event_fields", "described", "name"),
    [
        ({}, {"jobName": "run-ghz-hybrid"}, "run-ghz-hybrid"),  # GetJob
        ({"jobName": "run-ghz-hybrid"}, None, "run-ghz-hybrid"),  # the event
        (
            {"outputDataConfig": {"s3Path": "s3://amazon-braket-us-east-1-123456789012/jobs/vqe-7/1795447202517/data"}},
            None,
            "vqe-7",
        ),  # the SDK's default output path
    ],
)
def test_a_uuid_job_is_called_by_the_name_found_for_it(
    event_fields: dict[str, Any], described: dict[str, Any] | None, name: str
) -> None:
    event = parse_job_event(job_event("COMPLETED", arn=UUID_JOB_ARN, minimal=True, **event_fields))
    answer = job_description(arn=UUID_JOB_ARN, **described) if described else None
    notification = render_job_notification(build_job_record(event, answer, tasks=[]))
    assert notification.subject == f"Braket job COMPLETED: {name}, 0 tasks"
    assert f"\nName               {name}\n" in notification.email_text
    assert "acc51817" not in notification.subject


def test_the_email_reads_as_a_summary_of_the_job() -> None:
    text = render_job_notification(_record("FAILED")).email_text
    assert text.startswith("Amazon Braket hybrid job FAILED\n")
    for line in (
        f"Job                {JOB_ARN}",
        "Name               vqe-h2-run-7",
        "Status             FAILED",
        "Failure            AlgorithmError: ModuleNotFoundError: No module named 'scipy'",
        f"Device             ionq/Forte-1 ({FORTE})",
        "Instance           ml.m5.large x 1, 30 GB volume",
        "Billable duration  1051746 (as GetJob reports it)",
        "Created by         arn:aws:iam::123456789012:role/Researcher",  # who; the session stays in the call's item
        "Tasks              12 (11 COMPLETED, 1 FAILED)",
        "Shots              1200 requested, 1100 successful",
        "Task queue time    5 min 30 s in all, 30.0 s on average (over 11 tasks)",
        "Time queued        4 min 37 s",
        "Time running       17 min 32 s",
        "Total time         22 min 08 s",
        "Last job event     FAILED at 2026-11-23T16:02:10.954Z",
        "Tags               owner=alice, project=vqe-h2",
        "Console            https://us-east-1.console.aws.amazon.com/braket/home?region=us-east-1#/jobs/" + JOB_ARN,
    ):
        assert f"\n{line}\n" in text, line
    assert "Cancelled by" not in text
    assert SECRET_HYPERPARAMETER not in text


def test_a_cancelled_job_says_who_cancelled_it_or_that_it_is_unknown() -> None:
    text = render_job_notification(
        _record("CANCELLED", history=HistoryFacts(created_by=ALICE, cancelled_by=BOB))
    ).email_text
    assert "\nCancelled by       arn:aws:iam::123456789012:user/bob\n" in text  # no source IP by default
    assert "198.51.100.7" not in text
    unknown = render_job_notification(_record("CANCELLED", history=HistoryFacts())).email_text
    assert "\nCreated by         unknown (no CloudTrail record" in unknown
    assert "\nCancelled by       unknown (no CloudTrail record" in unknown


def test_an_unenriched_record_says_what_is_missing() -> None:
    failure = EnrichmentFailure("ThrottlingException", "Rate exceeded")
    record = build_job_record(parse_job_event(job_event(minimal=True)), None, enrichment_failure=failure, tasks=[])
    text = render_job_notification(record).email_text
    assert "Note: details from GetJob are missing (ThrottlingException: Rate exceeded)." in text
    assert "\nTasks              none recorded\n" in text
    assert "Instance" not in text and "Device" not in text


def test_a_late_event_says_braket_has_moved_on() -> None:
    late = build_job_record(parse_job_event(job_event("RUNNING")), job_description("COMPLETED"))
    assert "RUNNING (Braket already reports COMPLETED: this event arrived late)" in (
        render_job_notification(late).email_text
    )


def test_the_json_body_is_the_record_with_its_kind_schema_version_and_the_console_link() -> None:
    record = _record()
    body = json.loads(render_job_notification(record).json_body)
    assert (body.pop("kind"), body.pop("schemaVersion")) == ("job", SCHEMA_VERSION)
    assert body.pop("consoleUrl").endswith(f"#/jobs/{JOB_ARN}")
    assert body == json.loads(json.dumps(record))


def test_attributes_let_a_subscriber_filter_by_kind_status_job_device_and_tags() -> None:
    attributes = render_job_notification(_record()).attributes
    assert attributes == {
        "kind": {"DataType": "String", "StringValue": "job"},
        "status": {"DataType": "String", "StringValue": "COMPLETED"},
        "jobArn": {"DataType": "String", "StringValue": JOB_ARN},
        "deviceArn": {"DataType": "String", "StringValue": FORTE},
        "tags": {"DataType": "String.Array", "StringValue": json.dumps(["owner=alice", "project=vqe-h2"])},
    }


@pytest.mark.parametrize("device", [None, "local:braket/braket.local.qubit"])
def test_no_device_arn_attribute_when_the_device_is_unknown_or_not_an_arn(device: str | None) -> None:
    described = job_description(tags={})
    del described["deviceConfig"]
    event = job_event(**({"device": device} if device else {}))
    attributes = render_job_notification(build_job_record(parse_job_event(event), described)).attributes
    assert set(attributes) == {"kind", "status", "jobArn"}


def test_task_notifications_say_they_are_about_a_task() -> None:
    record = build_record(parse_task_event(task_event("FAILED")), description("FAILED"))
    assert render_notification(record).attributes["kind"] == {"DataType": "String", "StringValue": "task"}
