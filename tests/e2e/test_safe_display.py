"""Control characters in what a task says reach the audit table as they came, and people escaped.

Tags, the output directory and the failure reason are free text; an ESC sequence, a BEL or a line
separator in them must not colour the operator's terminal, ring its bell or start a line of its own
in an email or the CLI's output (see ``tests/bad_input/unicode--control-chars-accepted.json``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from task_monitor_cli.app import main
from task_monitor_devkit.builders.api_call import assumed_role, create_task_call
from task_monitor_devkit.builders.task import TASK_ARN, description, task_event

RED = "\x1b[31m"
TAG = f"{RED}red\x07"
DIRECTORY = f"tasks/{RED}\u2028Subject: forged"
REASON = f"out of memory\u2028Status  COMPLETED{RED}"
RAW = ("\x1b", "\x07", "\u2028")


def test_the_email_and_subject_show_controls_escaped_and_the_table_keeps_them_as_they_came(embedded) -> None:
    embedded.braket.put_task(
        description("FAILED", tags={"note": TAG}, outputS3Directory=DIRECTORY, failureReason=REASON)
    )
    embedded.deliver(task_event("FAILED", outputS3Directory=DIRECTORY, failureReason=REASON))
    embedded.drain()

    latest = embedded.audit_log().latest(TASK_ARN)
    assert (latest["tags"]["note"], latest["failureReason"], latest["outputS3Directory"]) == (TAG, REASON, DIRECTORY)
    (message,) = embedded.published
    for raw in RAW:
        assert raw not in message.email_text and raw not in message.subject
    assert "note=\\x1b[31mred\\x07" in message.email_text
    assert "Failure       out of memory\\u2028Status  COMPLETED\\x1b[31m" in message.email_text
    assert "\\x1b[31m\\u2028Subject: forged" in message.email_text
    (envelope,) = embedded.subscriber_messages()  # JSON subscribers get the values as stored
    assert envelope["Record"]["tags"]["note"] == TAG and envelope["Record"]["failureReason"] == REASON


def test_the_cli_prints_what_events_and_the_table_say_with_controls_escaped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    identity = assumed_role("QubitWrangler", f"mari{RED}sol\x07\u2028")
    events = [create_task_call(TASK_ARN, identity=identity), task_event("CREATED", failureReason=REASON)]
    (tmp_path / "events.json").write_text(json.dumps(events))
    for command in ("replay", "history"):
        out = io.StringIO()
        argv = [command, "--embedded", str(tmp_path / "events.json")] if command == "replay" else [command, TASK_ARN]
        if command == "history":
            argv += ["--events", str(tmp_path / "events.json")]
        main(argv, out=out)
        printed = out.getvalue()
        for raw in RAW:
            assert raw not in printed, (command, raw)
        assert "mari\\x1b[31msol\\x07\\u2028" in printed, command
