"""Rendering notifications: subject, email, JSON body and filterable attributes."""

from __future__ import annotations

import json

from task_monitor.domain.enrichment import EnrichmentFailure
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.notification import render_notification
from task_monitor.domain.kinds.task.record import build_record
from task_monitor.domain.notification_model import SCHEMA_VERSION, format_duration
from task_monitor_devkit.builders.task import fully_described, task_event


def _failed_record() -> dict:
    change = parse_task_event(task_event("FAILED"))
    return build_record(change, fully_described("FAILED"), running_since="2026-11-20T11:41:17.000Z")


def test_subject_is_short_ascii_and_says_status_device_and_task() -> None:
    subject = render_notification(_failed_record()).subject
    assert subject == "Braket task FAILED: ionq/Forte-1, task 5b0e7a8c"
    assert subject.isascii() and len(subject) < 100


def test_email_reads_as_sentences_a_person_can_scan() -> None:
    text = render_notification(_failed_record()).email_text
    for expected in (
        "Amazon Braket task FAILED",
        "Failure       Device calibration drifted",
        "Shots         1000 requested, 0 successful",
        "Time queued   2 h 41 min 16 s",
        "Time running  2 min 23 s",
        "Hybrid job    arn:aws:braket:us-east-1:123456789012:job/2a7c4e6f-8b1d-4f3a-9c5e-7d0b2f4a6c81",
        "Program set   3 programs, 12 executables",
        "Reservation   arn:aws:braket:us-east-1:123456789012:reservation/",
        "Tags          owner=alice, project=vqe-h2",
        "Results       s3://amazon-braket-us-east-1-123456789012/tasks/",
        "Console       https://us-east-1.console.aws.amazon.com/braket/home?region=us-east-1#/tasks/arn:aws:braket:",
    ):
        assert expected in text, expected


def test_email_says_when_details_are_missing() -> None:
    change = parse_task_event(task_event("COMPLETED"))
    record = build_record(change, None, enrichment_failure=EnrichmentFailure("AccessDeniedException", "no"))
    assert (
        "details from GetQuantumTask are missing (AccessDeniedException: no)" in render_notification(record).email_text
    )


def test_json_body_is_the_record_plus_its_kind_schema_version_and_a_console_link() -> None:
    record = _failed_record()
    body = json.loads(render_notification(record).json_body)
    assert (body.pop("kind"), body.pop("schemaVersion")) == ("task", SCHEMA_VERSION)
    assert {k: v for k, v in body.items() if k != "consoleUrl"} == record
    assert body["consoleUrl"].startswith("https://us-east-1.console.aws.amazon.com/braket/")


def test_attributes_allow_filtering_by_status_device_provider_job_and_tag() -> None:
    attributes = render_notification(_failed_record()).attributes
    assert attributes["status"] == {"DataType": "String", "StringValue": "FAILED"}
    assert attributes["deviceArn"]["StringValue"] == "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
    assert attributes["provider"]["StringValue"] == "ionq"
    assert attributes["jobArn"]["StringValue"].endswith(":job/2a7c4e6f-8b1d-4f3a-9c5e-7d0b2f4a6c81")
    assert json.loads(attributes["tags"]["StringValue"]) == ["owner=alice", "project=vqe-h2"]


def test_sns_message_gives_email_subscribers_text_and_everyone_else_json() -> None:
    notification = render_notification(_failed_record())
    message = json.loads(notification.sns_message())
    assert message["email"] == notification.email_text
    assert json.loads(message["default"])["status"] == "FAILED"


def test_durations_read_naturally() -> None:
    assert format_duration(3.04) == "3.0 s"
    assert format_duration(143) == "2 min 23 s"
    assert format_duration(9676) == "2 h 41 min 16 s"


def test_queued_task_shows_its_queue_position_and_priority() -> None:
    from task_monitor_devkit.builders.task import description

    record = build_record(parse_task_event(task_event("QUEUED")), description("QUEUED"))
    assert "Queue         QUANTUM_TASKS_QUEUE (Normal), position 17" in render_notification(record).email_text


def test_email_tells_a_late_event_from_a_lagging_api() -> None:
    from task_monitor_devkit.builders.task import description

    late = build_record(parse_task_event(task_event("QUEUED")), description("COMPLETED"))
    lagging = build_record(parse_task_event(task_event("FAILED")), description("RUNNING"))
    assert "QUEUED (Braket already reports COMPLETED: this event arrived late)" in render_notification(late).email_text
    assert "FAILED (Braket still reported RUNNING when asked" in render_notification(lagging).email_text
