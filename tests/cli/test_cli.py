"""``python -m task_monitor_cli``: the demo, replaying events and failure records, and history."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from task_monitor_cli.cli import load_events, main
from tests.support.factories import TASK_ARN, lifecycle, task_event

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def quiet_powertools(monkeypatch: pytest.MonkeyPatch, sleeps) -> None:
    # main() quiets Powertools for the console; keep that from leaking into other tests
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_demo_tells_the_whole_story() -> None:
    code, output = _run("demo")
    assert code == 0
    for expected in (
        "GetQuantumTask finds the new task on the second try",
        "recorded late: latest state stays RUNNING",
        "duplicate: nothing written, nothing sent",
        "Subject: Braket task FAILED: iqm/Garnet",
        "Failure       Circuit uses 25 qubits",
        "Program set   4 programs, 16 executables",
        "Reservation   arn:aws:braket:us-west-1:123456789012:reservation/",
        "Hybrid job    arn:aws:braket:us-east-1:123456789012:job/vqe-h2-bond-sweep",
        "subscriber filtered on status = FAILED:  1 notification(s)",
        "batch of 3: 3 done, 0 to retry",
        "Dead-letter queue: 2 message(s)",
        "InvalidEventError: invalid Braket task event: detail.shots",
        "InvalidEventError: invalid Braket task event: body: the SQS message body is not JSON",
        "Latest state: COMPLETED",
    ):
        assert expected in output, expected
    history = output.split("Audit history of task")[1].split("Latest state")[0]
    assert [s for s in ("CREATED", "QUEUED", "RUNNING", "COMPLETED") if f"  {s}  " in history] == [
        "CREATED",
        "QUEUED",
        "RUNNING",
        "COMPLETED",
    ]


def test_replay_takes_events_lists_and_failure_queue_records(tmp_path: Path) -> None:
    created, queued, running, completed = lifecycle()
    (tmp_path / "one.json").write_text(json.dumps(created))
    (tmp_path / "list.json").write_text(json.dumps([queued, running]))
    (tmp_path / "destination.json").write_text(json.dumps({"requestPayload": completed, "responsePayload": {}}))
    code, output = _run("replay", *(str(tmp_path / n) for n in ("one.json", "list.json", "destination.json")))
    assert code == 0
    assert output.count("recorded") == 4
    assert "Subject: Braket task COMPLETED" in output


def test_replay_of_a_bad_event_exits_non_zero_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(task_event(shots="n/a")))
    code, output = _run("replay", str(tmp_path / "bad.json"))
    assert code == 1
    assert "REJECTED: invalid Braket task event: detail.shots" in output


def test_load_events_reads_json_lines_and_sqs_messages(tmp_path: Path) -> None:
    first, second = task_event("QUEUED"), task_event("RUNNING")
    (tmp_path / "lines.jsonl").write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    message = {"Messages": [{"Body": json.dumps({"requestPayload": first})}]}
    (tmp_path / "sqs.json").write_text(json.dumps(message))
    assert load_events([str(tmp_path / "lines.jsonl"), str(tmp_path / "sqs.json")]) == [first, second, first]


def test_replay_reads_dead_letter_messages_as_the_cli_receives_them(tmp_path: Path) -> None:
    # Given what `aws sqs receive-message --message-attribute-names All` prints for the dead-letter queue
    bad, good = task_event(shots="lots"), task_event("QUEUED")
    attributes = {"errorType": {"DataType": "String", "StringValue": "InvalidEventError"}}
    received = {
        "Messages": [
            {"MessageId": "m1", "Body": json.dumps(good), "MessageAttributes": attributes},
            {"MessageId": "m2", "Body": json.dumps(bad), "MessageAttributes": attributes},
            {"MessageId": "m3", "Body": "not json"},
        ]
    }
    (tmp_path / "dlq.json").write_text(json.dumps(received))
    # And an SQS batch as the function received it
    (tmp_path / "batch.json").write_text(json.dumps({"Records": [{"messageId": "m4", "body": json.dumps(good)}]}))
    assert load_events([str(tmp_path / "dlq.json"), str(tmp_path / "batch.json")]) == [good, bad, "not json", good]
    # When they are replayed: the good one is recorded, the bad ones are rejected, each saying why
    code, output = _run("replay", str(tmp_path / "dlq.json"))
    assert code == 1
    assert "recorded" in output
    assert "REJECTED: invalid Braket task event: detail.shots" in output
    assert "REJECTED: invalid Braket task event: $: expected a JSON object, got str" in output


def test_history_replays_given_events_and_prints_the_table(tmp_path: Path) -> None:
    (tmp_path / "events.json").write_text(json.dumps(lifecycle()))
    code, output = _run("history", TASK_ARN, "--events", str(tmp_path / "events.json"))
    assert code == 0
    assert output.count(TASK_ARN) == 0 and output.count("2026-11-20T") >= 4
    assert "COMPLETED" in output


def test_module_entry_point_runs() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "task_monitor_cli", "--help"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": f"{ROOT / 'functions'}:{ROOT / 'tools'}", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completed.returncode == 0
    assert "demo" in completed.stdout and "replay" in completed.stdout and "history" in completed.stdout


@pytest.mark.parametrize(
    ("argv", "fix"),
    [
        (["replay", "no-such-file.json"], "cannot read no-such-file.json"),
        (["history", TASK_ARN, "--aws"], "--table NAME, or AUDIT_TABLE_NAME"),
        (["replay", "--aws", "events.json"], "--table NAME --topic ARN"),
    ],
)
def test_a_usage_mistake_is_one_line_naming_the_fix(argv, fix, monkeypatch) -> None:
    monkeypatch.delenv("AUDIT_TABLE_NAME", raising=False)
    monkeypatch.delenv("NOTIFICATION_TOPIC_ARN", raising=False)
    out, err = io.StringIO(), io.StringIO()
    assert main(argv, out=out, err=err) == 2
    (line,) = err.getvalue().splitlines()
    assert line.startswith("error: ") and fix in line


def test_a_file_that_is_not_json_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text(json.dumps(task_event()) + "\n{not json\n")
    err = io.StringIO()
    assert main(["replay", str(tmp_path / "events.jsonl")], out=io.StringIO(), err=err) == 2
    assert "events.jsonl line 2 is not JSON" in err.getvalue()
