"""The composer every kind's renderer feeds: one layout for emails, one shape for the JSON, ``kind`` first."""

from __future__ import annotations

import json

from task_monitor.domain.notification_model import SCHEMA_VERSION, SUBJECT_LIMIT, compose, compose_email


def test_the_json_is_the_record_with_kind_schema_version_and_console_link_and_kind_is_an_attribute() -> None:
    record = {"eventId": "e-1", "status": "FAILED", "tags": {"project": "vqe"}}
    notification = compose(
        kind="task",
        record=record,
        subject="Braket task FAILED",
        email_text="text\n",
        attributes={"status": {"DataType": "String", "StringValue": "FAILED"}},
        console_url="https://console.example/task",
    )
    body = json.loads(notification.json_body)
    assert body == {
        **record,
        "kind": "task",
        "schemaVersion": SCHEMA_VERSION,
        "consoleUrl": "https://console.example/task",
    }
    assert list(notification.attributes) == ["kind", "status"]
    assert notification.attributes["kind"] == {"DataType": "String", "StringValue": "task"}
    assert json.loads(notification.sns_message()) == {"default": notification.json_body, "email": "text\n"}


def test_no_console_link_is_published_when_there_is_none_and_the_record_is_not_changed() -> None:
    record = {"eventId": "e-2", "kind": "ignored-by-nobody"}
    notification = compose(kind="device", record=record, subject="s", email_text="t\n", attributes={})
    body = json.loads(notification.json_body)
    assert "consoleUrl" not in body and body["kind"] == "device"
    assert record == {"eventId": "e-2", "kind": "ignored-by-nobody"}


def test_the_subject_is_made_ascii_and_short_enough_for_sns() -> None:
    notification = compose(kind="job", record={}, subject="Braket job — " + "x" * 200, email_text="", attributes={})
    assert notification.subject.isascii()
    assert len(notification.subject) == SUBJECT_LIMIT
    assert notification.subject.startswith("Braket job ? x")


def test_an_email_is_a_heading_aligned_facts_without_empty_ones_each_note_apart_and_the_event() -> None:
    text = compose_email(
        "Amazon Braket task FAILED",
        [("Task", "arn:task"), ("Failure", None), ("Time queued", "3.0 s")],
        ["Note: one.", "Line a\nLine b"],
        "Event e-1 at 2026-11-20T11:43:40.000Z.",
    )
    assert text == (
        "Amazon Braket task FAILED\n"
        "\n"
        "Task         arn:task\n"
        "Time queued  3.0 s\n"
        "\n"
        "Note: one.\n"
        "\n"
        "Line a\nLine b\n"
        "\n"
        "Event e-1 at 2026-11-20T11:43:40.000Z.\n"
    )
