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


def test_safe_text_escapes_controls_separators_and_bidi_marks_and_leaves_other_text_alone() -> None:
    from task_monitor.domain.notification_model import safe_text

    assert (
        safe_text("\x1b[31mred\x07 \u2028next\u2029 \x85 \x7f \x00")
        == "\\x1b[31mred\\x07 \\u2028next\\u2029 \\x85 \\x7f \\x00"
    )
    assert safe_text("a\u202eb\u2066c\u200fd\u061c") == "a\\u202eb\\u2066c\\u200fd\\u061c"
    assert safe_text("line\nbreak\ttab\r") == "line\\x0abreak\\x09tab\\x0d"
    assert safe_text("line\nbreak\t", keep_newlines=True) == "line\nbreak\\x09"
    assert safe_text("été 🚀 ionq/Forte-1 C:\\path") == "été 🚀 ionq/Forte-1 C:\\path"


def test_an_email_keeps_one_fact_a_line_and_a_subject_shows_controls_escaped() -> None:
    from task_monitor.domain.notification_model import ascii_subject

    text = compose_email(
        "Heading \x1b[2J", [("Tags", "note=\x1b[31mred\x07"), ("Failure", "a\u2028Status  COMPLETED")], ["n\rx\ny"], "f"
    )
    assert text.splitlines() == [
        "Heading \\x1b[2J",
        "",
        "Tags     note=\\x1b[31mred\\x07",
        "Failure  a\\u2028Status  COMPLETED",
        "",
        "n\\x0dx",
        "y",
        "",
        "f",
    ]
    assert ascii_subject("Braket task FAILED: \x1b[31m\x07") == "Braket task FAILED: \\x1b[31m\\x07"
