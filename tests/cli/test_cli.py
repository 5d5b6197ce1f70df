"""``python -m task_monitor_cli``: the demo, replaying events and failure records, and history."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest
from moto import mock_aws

from task_monitor import audit_schema
from task_monitor_cli.app import main
from task_monitor_cli.commands.history import show_history
from task_monitor_cli.events_io import load_events
from task_monitor_cli.output import Output
from task_monitor_cli.render import event_line, short_id
from task_monitor_devkit.builders.api_call import create_job_call, create_task_call, failed_create_task_call
from task_monitor_devkit.builders.device import QPU_STATUS, device_event
from task_monitor_devkit.builders.job import JOB_ARN, JOB_NAME, job_arn, job_event, job_id_for
from task_monitor_devkit.builders.task import FORTE as FORTE_1
from task_monitor_devkit.builders.task import TASK_ARN, lifecycle, task_event
from task_monitor_devkit.scenario import (
    ALICE_QAOA,
    ANKAA_RESERVATION,
    FORTE,
    JOB_TASK,
    SPENDING_LIMIT_ARN,
    SV1_PROGRAM_SET,
)
from task_monitor_devkit.scenario import JOB_ARN as DEMO_JOB
from task_monitor_devkit.scenario import JOB_NAME as DEMO_JOB_NAME
from task_monitor_devkit.stacks_emulator import StacksEmulator

ROOT = Path(__file__).resolve().parents[2]
# Emails name callers by principal: their sessions, IPs and user agents stay in the calls' own items.
ALICE = "arn:aws:iam::123456789012:role/QuantumResearcher"
BOB = "arn:aws:iam::123456789012:user/bob"
JOB_ROLE = "arn:aws:iam::123456789012:role/service-role/AmazonBraketJobsExecutionRole"


@pytest.fixture(autouse=True)
def quiet_powertools(monkeypatch: pytest.MonkeyPatch, sleeps) -> None:
    # main() quiets Powertools for the console; keep that from leaking into other tests
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[int, str]]:
    """The demo, run once for the tests that read its output (quiet logs, instant backoffs)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POWERTOOLS_LOG_LEVEL", "CRITICAL")
        patch.setattr("time.sleep", lambda seconds: None)
        yield _run("demo")


def _email(output: str, subject: str) -> str:
    """The one framed email whose subject starts with ``subject``, as its reader sees it."""
    (start,) = [m.start() for m in re.finditer(re.escape(f"| Subject: {subject}"), output)]
    return output[start : output.index("~~~~", start)]


def _line(output: str, pattern: str) -> str:
    """The one event line matching ``pattern`` (a regular expression)."""
    (line,) = [line for line in output.splitlines() if re.search(pattern, line)]
    return line


def _section(output: str, title: str) -> str:
    """What the demo prints under ``title``, up to the next blank line."""
    return output.split(title + "\n", 1)[1].split("\n\n", 1)[0]


def _rows(section: str) -> list[str]:
    """A table's rows (each starts with its event time)."""
    return [line for line in section.splitlines() if line[:4].isdigit()]


def test_demo_tells_the_whole_story(demo) -> None:
    code, output = demo
    assert code == 0
    for expected in (
        "GetQuantumTask finds the new task on the second try",
        "recorded late: latest state stays RUNNING",
        "duplicate: nothing written, nothing sent",
        "Subject: Braket task FAILED: iqm/Garnet",
        "Failure       Circuit uses 25 qubits",
        "Program set   4 programs, 16 executables",
        "Reservation   arn:aws:braket:us-west-1:123456789012:reservation/",
        "Hybrid job    arn:aws:braket:us-east-1:123456789012:job/95677e5d-bb22-5ec9-85df-62f9e124ade3",
        "subscriber filtered on status = FAILED:  1 notification(s)",
        "subscriber filtered on kind = device:    2 notification(s)",
        "JSON subscriber (no filter):             15 notifications "
        "(2 budget, 2 device, 1 job, 1 refused_task, 1 spending_limit, 8 task)",
        "batch of 3: 3 done, 0 to retry",
        "Dead-letter queue: 2 message(s)",
        "InvalidEventError: invalid Braket event: detail.shots",
        "InvalidEventError: invalid Braket event: body: the SQS message body is not JSON",
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
    # The CloudTrail call that came first is a row of its own, naming who made it
    first_row = _rows(history)[0]
    assert "CreateQuantumTask" in first_row and "role/QuantumResearcher (alice)" in first_row
    assert "(the late QUEUED event did not move the latest state back)" in output


def test_demo_prints_each_kind_of_event_as_a_line_of_its_own(demo) -> None:
    _, output = demo
    short = short_id(FORTE.arn)
    assert _line(output, rf"task +CREATED +ionq/Forte-1 +{short} +recorded")
    job = short_id(DEMO_JOB)  # a job's ARN ends in a UUID: the line names it by its short id, as a task
    # The demo's job events carry no name: the line says "job <short id>", never the UUID.
    assert _line(output, rf"job +QUEUED +job {job} +recorded")
    assert _line(output, rf"job +COMPLETED +job {job} +recorded, notified")
    assert _line(output, r"device +OFFLINE +ionq/Forte-1 +recorded, notified")
    assert _line(output, rf"call +CreateQuantumTask +alice +{short} +joined onto the task")
    assert _line(output, rf"call +CreateJob +alice +{DEMO_JOB_NAME} +joined onto the job")  # the call names it
    assert _line(output, rf"call +CancelQuantumTask +bob +{short_id(ALICE_QAOA.arn)} +joined onto the task")
    # The same availability under the other detail-type name is recorded and sends nothing
    assert _line(output, r"11:38:02 +device +ONLINE +ionq/Forte-1 +recorded +\(")


def test_demo_job_ends_with_one_email_rolling_up_its_tasks_and_naming_its_creator(demo) -> None:
    _, output = demo
    job_email = _email(output, "Braket job COMPLETED: vqe-h2-bond-sweep, 3 tasks")
    for line in (
        f"Created by         {ALICE}",
        "Tasks              3 (1 CANCELLED, 2 COMPLETED)",
        "Shots              900 requested, 600 successful",
        "Instance           ml.m5.large x 1, 30 GB volume",
        "Billable duration  2329524 (as GetJob reports it)",
        "Last job event     COMPLETED at 2026-11-20T10:03:28.644Z",
    ):
        assert f"| {line}" in job_email, line
    # Its tasks were created (and one cancelled) by the job's own role; their emails name the job
    task_email = _email(output, f"Braket task CANCELLED: ionq/Forte-1, task {short_id(JOB_TASK.arn)}")
    assert f"| Created by    {JOB_ROLE}" in task_email and f"| Cancelled by  {JOB_ROLE}" in task_email
    assert f"| Hybrid job    {DEMO_JOB}" in task_email
    # The job's history and latest state at the end
    history = _section(output, f"Audit history of job {short_id(DEMO_JOB)} (vqe-h2-bond-sweep):")
    rows = _rows(history)
    assert [row.split()[2] for row in rows] == ["CreateJob", "QUEUED", "RUNNING", "COMPLETED"]
    assert "JOBS_QUEUE #1" in rows[1] and "3 (1 CANCELLED, 2 COMPLETED)" in rows[3]
    assert "Latest state: COMPLETED, created by role/QuantumResearcher" in history
    assert "tasks 3 (1 CANCELLED, 2 COMPLETED), 900 shots requested, 600 successful" in history
    # A job whose instances have no price: its row shows the floor its priced tasks make, its latest
    # state says why there is no more
    assert " ≥$48.60 " in rows[3]
    assert "estimated cost ≥$48.60 (instances: no jobInstance price for ml.m5.large" in history


def test_demo_names_creators_early_late_and_never(demo) -> None:
    _, output = demo
    unknown = "unknown (no CloudTrail record of the call received yet)"
    # Before the task's first event: the ending email names alice
    assert f"| Created by    {ALICE}" in _email(
        output, f"Braket task COMPLETED: ionq/Forte-1, task {short_id(FORTE.arn)}"
    )
    # After the task ended: the email said unknown, and the call is then joined onto the record
    sv1 = short_id(SV1_PROGRAM_SET.arn)
    assert f"| Created by    {unknown}" in _email(output, f"Braket task COMPLETED: amazon/sv1, task {sv1}")
    late = _line(output, rf"call +CreateQuantumTask +carol +{sv1}")
    assert output.index(late) > output.index("Subject: Braket task COMPLETED: amazon/sv1")
    # Never: unknown
    ankaa = short_id(ANKAA_RESERVATION.arn)
    assert f"| Created by    {unknown}" in _email(output, f"Braket task COMPLETED: rigetti/Ankaa-3, task {ankaa}")


def test_demo_cancellation_by_another_user_names_both(demo) -> None:
    _, output = demo
    cancelled = _email(output, f"Braket task CANCELLED: ionq/Forte-1, task {short_id(ALICE_QAOA.arn)}")
    assert f"| Created by    {ALICE}" in cancelled
    assert f"| Cancelled by  {BOB}" in cancelled
    assert "created by role/QuantumResearcher, cancelled by user/bob" in output


def test_demo_device_offline_and_back_names_how_many_tasks_wait(demo) -> None:
    _, output = demo
    offline = _email(output, "Braket device OFFLINE: ionq/Forte-1, 2 tasks waiting")
    assert "| Tasks waiting  2 (created or queued, not yet running)" in offline
    assert "(Braket Device Status Change)" in offline
    online = _email(output, "Braket device ONLINE: ionq/Forte-1, 1 task waiting")  # bob cancelled one meanwhile
    assert "(Braket QPU Status Change)" in online
    timeline = _rows(_section(output, "Timeline of device ionq/Forte-1:"))
    assert [row.split()[2:-1] for row in timeline] == [
        ["OFFLINE", "Braket", "Device", "Status", "Change", "2"],
        ["ONLINE", "Braket", "QPU", "Status", "Change", "1"],
        ["ONLINE", "Braket", "Device", "Status", "Change"],  # the same news again: nothing counted
    ]


def test_demo_shows_the_spending_limit_as_history_does(demo) -> None:
    _, output = demo
    section = _section(output, f"Timeline of Forte-1's spending limit ({short_id(SPENDING_LIMIT_ARN)}):")
    header, *_ = section.splitlines()
    assert header.split()[:7] == ["time", "(UTC)", "status", "/", "call", "total", "spend"]
    first, second = _rows(section)
    assert "$48.60 of $150.00 (32.4 %)" in first and "80 %" not in first
    assert "$128.90 of $150.00 (85.9 %)" in second and "80 %" in second  # the threshold it announced
    code, alone = _run("history", "--demo", SPENDING_LIMIT_ARN)
    assert code == 0 and _rows(alone) == _rows(section)


def test_replay_takes_events_lists_and_failure_queue_records(tmp_path: Path) -> None:
    created, queued, running, completed = lifecycle()
    (tmp_path / "one.json").write_text(json.dumps(created))
    (tmp_path / "list.json").write_text(json.dumps([queued, running]))
    (tmp_path / "destination.json").write_text(json.dumps({"requestPayload": completed, "responsePayload": {}}))
    code, output = _run(
        "replay", "--embedded", *(str(tmp_path / n) for n in ("one.json", "list.json", "destination.json"))
    )
    assert code == 0
    assert output.count("recorded") == 4
    assert "Subject: Braket task COMPLETED" in output


def test_replay_of_a_bad_event_exits_non_zero_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(task_event(shots="n/a")))
    code, output = _run("replay", "--embedded", str(tmp_path / "bad.json"))
    assert code == 1
    assert "REJECTED: invalid Braket event: detail.shots" in output


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
    code, output = _run("replay", "--embedded", str(tmp_path / "dlq.json"))
    assert code == 1
    assert "recorded" in output
    assert "REJECTED: invalid Braket event: detail.shots" in output
    assert "REJECTED: invalid Braket event: $: expected a JSON object, got str" in output


def test_history_replays_given_events_and_prints_the_table(tmp_path: Path) -> None:
    (tmp_path / "events.json").write_text(json.dumps(lifecycle()))
    code, output = _run("history", TASK_ARN, "--events", str(tmp_path / "events.json"))
    assert code == 0
    rows = _rows(output)
    assert output.count(TASK_ARN) == 0 and len(rows) == 4 and all(row.startswith("2026-11-20 ") for row in rows)
    assert [row.split()[2] for row in rows] == ["CREATED", "QUEUED", "RUNNING", "COMPLETED"]
    code, as_csv = _run("history", TASK_ARN, "--events", str(tmp_path / "events.json"), "--csv")
    times = [row["time"] for row in csv.DictReader(io.StringIO(as_csv))]
    assert code == 0 and len(times) == 4 and all(time.endswith("Z") and "T" in time for time in times)  # as recorded


def test_replay_of_job_events_asks_getjob_what_the_event_says(tmp_path: Path) -> None:
    # A full job event, and a minimal one naming its job only in resources
    other = job_arn(job_id_for("another-job"))
    minimal = job_event("FAILED", minimal=True, arn=other)
    del minimal["detail"]["jobArn"]
    # The ARN ends in a UUID: the events name the job (detail.jobName), and so GetJob's answer does
    named = {"jobName": JOB_NAME}
    events = [
        job_event("QUEUED", **named),
        create_job_call(JOB_ARN, job_name=JOB_NAME),
        job_event("RUNNING", **named),
        job_event("COMPLETED", **named),
        minimal,
    ]
    # As dead letters (what `aws sqs receive-message` prints): a replayed dead letter may name the creator
    messages = [{"MessageId": f"dlq-{n}", "Body": json.dumps(event)} for n, event in enumerate(events)]
    (tmp_path / "job.json").write_text(json.dumps({"Messages": messages}))
    code, output = _run("replay", "--embedded", str(tmp_path / "job.json"))
    assert code == 0, output
    # A line names a job by the name its event or call carries, else "job <short id>" (never the UUID).
    assert _line(output, rf"job +QUEUED +{JOB_NAME} +recorded$")
    assert _line(output, rf"call +CreateJob +marisol +{JOB_NAME} +joined onto the job")
    assert _line(output, rf"job +COMPLETED +{JOB_NAME} +recorded, notified$")  # enriched: no GetJob error
    assert _line(output, rf"job +FAILED +job {short_id(other)} +recorded, notified$")
    job_email = _email(output, "Braket job COMPLETED: vqe-h2-run-7, 0 tasks")
    assert "| Status             COMPLETED\n" in job_email  # GetJob agreed with the event
    assert "| Created by         arn:aws:iam::123456789012:role/QubitWrangler\n" in job_email
    assert "marisol" not in job_email
    assert "| Started            2026-11-23T15:44:39.208Z" in job_email


def test_replay_of_calls_and_device_events_needs_no_braket(tmp_path: Path) -> None:
    events = [create_task_call(TASK_ARN), failed_create_task_call(), task_event("QUEUED"), device_event("OFFLINE")]
    (tmp_path / "mixed.json").write_text(json.dumps(events))
    code, output = _run("replay", "--embedded", str(tmp_path / "mixed.json"))
    assert code == 0, output
    # An event file is not a dead letter: its call is kept in the task's history, never joined
    kept = "kept in the task's history, not joined"
    assert _line(output, rf"call +CreateQuantumTask +marisol +{short_id(TASK_ARN)} +{kept}")
    assert _line(output, r"call +CreateQuantumTask +marisol +\? +not recorded: the call failed")
    assert _line(output, r"device +OFFLINE +ionq/Forte-1 +recorded, notified")
    assert "Subject: Braket device OFFLINE: ionq/Forte-1, 1 task waiting" in output


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_history_of_a_task_shows_the_calls_and_who_made_them(tmp_path: Path) -> None:
    (tmp_path / "events.json").write_text(json.dumps([create_task_call(TASK_ARN), *lifecycle()]))
    code, output = _run("history", TASK_ARN, "--events", str(tmp_path / "events.json"), "--csv")
    assert code == 0
    call, *states = _csv_rows(output)
    assert call["status"] == "CreateQuantumTask" and call["who"] == "role/QubitWrangler (marisol)"
    assert [row["status"] for row in states] == ["CREATED", "QUEUED", "RUNNING", "COMPLETED"]
    assert [row["who"] for row in states] == ["", "", "", ""]  # a state event's callers are on the latest state
    code, text = _run("history", TASK_ARN, "--events", str(tmp_path / "events.json"))
    # the call's row names the session (its own item keeps it); the latest state keeps the principal only
    assert text.splitlines()[-1].startswith("Latest state: COMPLETED, created by role/QubitWrangler, estimated cost")
    assert "(marisol)" not in text.splitlines()[-1]


def test_history_of_a_job_after_its_events(tmp_path: Path) -> None:
    call = create_job_call(JOB_ARN, event_time="2026-11-23T15:40:01Z")  # delivered after RUNNING
    events = [job_event("QUEUED"), job_event("RUNNING"), call, job_event("COMPLETED")]
    (tmp_path / "job.json").write_text(json.dumps(events))
    code, output = _run("history", JOB_ARN, "--events", str(tmp_path / "job.json"), "--csv")
    assert code == 0, output
    rows = _csv_rows(output)
    assert list(rows[0]) == ["time", "status", "who", "queue", "tasks", "cost", "notes", "event"]
    assert [(row["status"], row["queue"]) for row in rows] == [
        ("CreateJob", ""),  # a call: Braket was not asked, and it has no queue
        ("QUEUED", ""),
        ("RUNNING", ""),
        ("COMPLETED", ""),
    ]
    assert rows[0]["who"] == "role/QubitWrangler (marisol)"
    assert rows[3]["tasks"] == "0" and "ran 17 min 32 s" in rows[3]["notes"]
    _, text = _run("history", JOB_ARN, "--events", str(tmp_path / "job.json"))
    assert text.splitlines()[-1].startswith("Latest state: COMPLETED, created by role/QubitWrangler, tasks 0")


def test_history_of_a_device_after_its_events(tmp_path: Path) -> None:
    events = [
        task_event("QUEUED"),  # one task waits on Forte-1
        device_event("OFFLINE", time="2026-11-21T06:00:04Z"),
        device_event("ONLINE", detail_type=QPU_STATUS, status_field="deviceStatus", time="2026-11-21T09:30:00Z"),
    ]
    (tmp_path / "device.json").write_text(json.dumps(events))
    code, output = _run("history", FORTE_1, "--events", str(tmp_path / "device.json"), "--csv")
    assert code == 0, output
    offline, online = _csv_rows(output)
    assert (offline["status"], offline["waiting"]) == ("OFFLINE", "1")
    assert (online["status"], online["waiting"]) == ("ONLINE", "1")
    _, text = _run("history", FORTE_1, "--events", str(tmp_path / "device.json"))
    assert text.splitlines()[-1] == "Latest state: ONLINE, last event 2026-11-21T09:30:00.000Z"


def test_history_as_json_is_every_record_and_the_latest_state(tmp_path: Path) -> None:
    (tmp_path / "events.json").write_text(json.dumps([create_task_call(TASK_ARN), *lifecycle()]))
    code, output = _run("history", TASK_ARN, "--events", str(tmp_path / "events.json"), "--json")
    assert code == 0
    document = json.loads(output)
    assert document["kind"] == "task" and document["latest"]["status"] == "COMPLETED"
    assert len(document["history"]) == 5 and document["latest"]["estimatedCost"]["priceTableDate"]


def test_history_table_reads_every_kind_without_a_status_or_a_caller() -> None:
    # Items as the audit log may hold them: a call with no caller fields, a device event not counted
    call = {"eventTime": "2026-11-20T09:00:00.000Z", "eventId": "e1", "eventName": "CancelJob", "jobArn": JOB_ARN}
    device = {"eventTime": "2026-11-20T09:00:00.000Z", "eventId": "e2", "deviceArn": FORTE_1, "status": "OFFLINE"}
    for kind, record, shown in (("job", call, "CancelJob"), ("task", call, "CancelJob"), ("device", device, "OFFLINE")):
        out = io.StringIO()
        show_history(Output(out, io.StringIO()), kind, [record], None)
        (row,) = _rows(out.getvalue())
        assert row.split()[:3] == ["2026-11-20", "09:00:00", shown]
    assert event_line("not json", "REJECTED").split()[1:3] == ["task", "?"]


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
        (["replay"], "replay needs event files (or - for stdin), or --from-dead-letter-queue"),
        (["history", TASK_ARN], "no stack BraketTaskMonitor in us-east-1: give --stack and --region"),
        (["history", TASK_ARN, "--stack", "Other"], "no stack Other in us-east-1"),
        (["history", "task-5b0e7a8c"], "not a quantum task, hybrid job, device or spending limit ARN"),
        (["history", "d6dbdceb"], "give the whole ARN (`task-monitor tasks --json` and `jobs --json` list them)"),
        (["history"], "the following arguments are required: ARN (see task-monitor history --help)"),
        (["histroy", TASK_ARN], "invalid choice: 'histroy'"),
        (["history", TASK_ARN, "--json", "--csv"], "not allowed with argument --json"),
        (["demo", "--csv"], "demo prints no table: drop --csv"),
    ],
)
def test_a_usage_mistake_is_one_line_naming_the_fix(argv, fix, monkeypatch) -> None:
    monkeypatch.delenv("AUDIT_TABLE_NAME", raising=False)
    monkeypatch.delenv("NOTIFICATION_TOPIC_ARN", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    out, err = io.StringIO(), io.StringIO()
    with mock_aws(), StacksEmulator({}).running():  # CloudFormation knows no stack
        assert main(argv, out=out, err=err) == 2
    (line,) = err.getvalue().splitlines()
    assert line.startswith("task-monitor: error: ") and fix in line
    assert out.getvalue() == ""


UNKNOWN_TASK = "arn:aws:braket:us-east-1:123456789012:quantum-task/00000000-0000-4000-8000-000000000000"


def test_history_of_an_arn_the_events_never_named_says_where_to_find_one() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["history", "--demo", UNKNOWN_TASK], out=out, err=err) == 1
    (line,) = err.getvalue().splitlines()
    assert line == (
        f"task-monitor: error: no events recorded for {UNKNOWN_TASK}: check the ARN and the events given"
        " (`task-monitor tasks` with the same --demo/--events lists them)"
    )
    assert out.getvalue() == ""


def test_history_of_an_arn_the_deployed_table_never_saw_names_the_stack(monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    out, err = io.StringIO(), io.StringIO()
    with mock_aws():
        dynamodb = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(**audit_schema.create_table_request("audit"))
        assert main(["history", UNKNOWN_TASK, "--table", "audit"], out=out, err=err) == 1
    (line,) = err.getvalue().splitlines()
    assert line == (
        f"task-monitor: error: no events recorded for {UNKNOWN_TASK}: check the ARN and the stack (--stack, --region)"
    )


def test_without_credentials_one_line_says_how_to_get_them(monkeypatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    out, err = io.StringIO(), io.StringIO()
    assert main(["history", TASK_ARN, "--table", "t", "--region", "us-east-1"], out=out, err=err) == 1
    (line,) = err.getvalue().splitlines()
    assert (
        line
        == "task-monitor: error: no AWS credentials found: configure them (aws configure, AWS_PROFILE), or try --demo"
    )


def test_an_unexpected_failure_is_one_line_unless_verbose(monkeypatch) -> None:
    from task_monitor_cli.commands import history

    def broken(*_: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(history, "run", broken)
    err = io.StringIO()
    assert main(["history", TASK_ARN, "--demo"], out=io.StringIO(), err=err) == 1
    (line,) = err.getvalue().splitlines()
    assert line.startswith("task-monitor: error: unexpected RuntimeError: boom at ") and "please report" in line
    err = io.StringIO()
    assert main(["--verbose", "history", TASK_ARN, "--demo"], out=io.StringIO(), err=err) == 1
    assert "Traceback" in err.getvalue()


def test_a_file_that_is_not_json_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text(json.dumps(task_event()) + "\n{not json\n")
    err = io.StringIO()
    assert main(["replay", "--embedded", str(tmp_path / "events.jsonl")], out=io.StringIO(), err=err) == 2
    assert "events.jsonl line 2 is not JSON" in err.getvalue()


def test_replay_tells_a_refused_request_from_an_invalid_event_and_a_failure() -> None:
    from task_monitor.errors import InvalidEventError, RequestRefusedError
    from task_monitor_cli.outcomes import failure_text as _failure_text

    refused = RequestRefusedError("SNS", "Publish", "InvalidParameter", "Message too long")
    assert _failure_text(refused) == "REFUSED: SNS refused Publish: InvalidParameter: Message too long"
    assert _failure_text(InvalidEventError("detail", "missing")).startswith("REJECTED: ")
    assert _failure_text(RuntimeError("down")) == "FAILED (RuntimeError): down"


UUID_JOB_ARN = "arn:aws:braket:us-east-1:123456789012:job/acc51817-2b7a-48ed-8dee-fffc87703b10"


def test_a_job_event_line_names_the_job_or_its_short_id_never_its_uuid() -> None:
    unnamed = event_line(job_event("COMPLETED", arn=UUID_JOB_ARN), "recorded")
    assert unnamed.split()[2:6] == ["job", "COMPLETED", "job", "acc51817"] and "2b7a" not in unnamed
    named = event_line(job_event("COMPLETED", arn=UUID_JOB_ARN, jobName="run-ghz-hybrid"), "recorded")
    assert named.split()[2:5] == ["job", "COMPLETED", "run-ghz-hybrid"]
    old_form = "arn:aws:braket:us-east-1:123456789012:job/vqe-h2-run-7"
    older = event_line(job_event("COMPLETED", arn=old_form), "recorded")  # an older ARN carries the name
    assert older.split()[2:5] == ["job", "COMPLETED", "vqe-h2-run-7"]


def test_a_cancel_job_call_line_shows_the_job_s_short_id_and_a_create_job_line_its_name() -> None:
    from task_monitor_devkit.builders.api_call import cancel_job_call

    cancel = event_line(cancel_job_call(UUID_JOB_ARN), "joined")
    assert "job acc51817" in cancel and "2b7a" not in cancel
    create = create_job_call(UUID_JOB_ARN)
    create["detail"]["requestParameters"]["jobName"] = "run-ghz-hybrid"
    assert "run-ghz-hybrid" in event_line(create, "joined") and "2b7a" not in event_line(create, "joined")


def test_demo_shows_costs_a_spending_limit_crossing_a_refused_task_and_a_budget_alert(demo) -> None:
    code, demo = demo
    assert code == 0
    # the cost on a task's email, with its basis and the price table's date
    forte = _email(demo, "Braket task COMPLETED: ionq/Forte-1, task d6dbdceb")
    assert "Estimated cost: $80.30 — $0.30 per task + $0.08 per shot [A], 1000 successful shots" in forte
    assert "prices of 2026-11-15" in forte
    # Forte-1's limit: one message for the highest threshold crossed; the late, lower event says nothing
    crossing = _email(demo, "Braket spending limit crossed 80 % (and 50 %): $128.90 of $150.00 on ionq/Forte-1")
    assert "85.9 % of the limit" in crossing
    assert _line(demo, r"\$48\.60 of \$150\.00 .* recorded late")
    assert demo.count("Subject: Braket spending limit crossed") == 1
    # the refused task: who tried (by principal), the device, Braket's amounts
    refused = _email(demo, "Braket task refused by a spending limit on ionq/Forte-1: estimate $160.3000000000")
    assert "Who tried       arn:aws:iam::123456789012:role/QuantumResearcher\n" in refused
    assert "Current spend   $128.9 USD" in refused and "198.51.100.23" not in refused
    # the budget: 50 % and 80 % of $180 announced once each, never 100 % (the tasks add up to $153.20 at most)
    assert demo.count("Subject: Budget vqe-h2: 50% of $180.00 reached in 2026-11 (estimated)") == 1
    assert demo.count("Subject: Budget vqe-h2: 80% of $180.00 reached in 2026-11 (estimated)") == 1
    assert "Subject: Budget vqe-h2: 100%" not in demo


def test_demo_as_json_is_what_its_subscribers_received() -> None:
    code, output = _run("demo", "--json")
    assert code == 0
    document = json.loads(output)
    kinds = {message["MessageAttributes"]["kind"]["Value"] for message in document["notifications"]}
    assert {"task", "job", "device"} <= kinds and document["failedSteps"] == 0
    assert document["filtered"]["status=FAILED"] >= 1
    assert [letter["attributes"]["errorType"] for letter in document["deadLetters"]]  # the malformed ones


def test_history_on_the_demo_shows_costs_and_the_example_in_its_help_works() -> None:
    from task_monitor_cli.commands import history
    from task_monitor_devkit.scenario import FORTE

    assert FORTE.arn in history.EXAMPLES
    code, output = _run("history", "--demo", FORTE.arn, "--csv")
    assert code == 0
    rows = _csv_rows(output)
    completed = [row for row in rows if row["status"] == "COMPLETED"]
    assert completed and all(row["cost"].startswith(("$", "~$")) for row in completed)


def test_history_of_a_spending_limit_shows_its_spend(tmp_path: Path) -> None:
    from task_monitor_devkit.scenario import SPENDING_LIMIT_ARN

    code, output = _run("history", "--demo", SPENDING_LIMIT_ARN, "--csv")
    assert code == 0
    rows = _csv_rows(output)
    assert rows and all(" of $" in row["spend"] for row in rows)
    assert any(row["threshold"] for row in rows)  # the crossing the demo announces
