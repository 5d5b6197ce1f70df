"""How each event arrived, end to end through the real handler (moto and the Braket emulator).

The events queue's policy lets only the EventBridge rules (and the redrive principals) send to it, so
a batch from it is evidence; a direct invocation (anyone with ``lambda:InvokeFunction``) is not: it
is processed and marked, and a CloudTrail call that came that way never names a creator. An
operator's replay of a dead letter (the CLI, with the operator's own credentials) is marked with
the operator and may name one.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from task_monitor_cli.app import main
from task_monitor_devkit.builders.api_call import assumed_role, create_task_call
from task_monitor_devkit.builders.task import TASK_ARN, description, lifecycle, task_event
from task_monitor_devkit.embedded import DEMO_OPERATOR, TABLE_NAME
from task_monitor_devkit.stacks_emulator import StacksEmulator

REAL_CREATOR = "arn:aws:iam::123456789012:role/QubitWrangler"
FORGER = assumed_role(role="Intern", session="mallory")
FORGED_CREATOR = "arn:aws:iam::123456789012:role/Intern"


def _through_queue(aws, *events: dict[str, Any]) -> None:
    for event in events:
        if event["detail-type"] == "Braket Task State Change":
            aws.braket.put_task(description(event["detail"]["status"]))
        aws.deliver(event)
        assert [batch.retried for batch in aws.drain()] == [[]]


def _forged_call() -> dict[str, Any]:
    """A CreateQuantumTask by someone else, backdated before the real one: it would win the join."""
    return create_task_call(TASK_ARN, identity=FORGER, event_time="2026-11-20T08:00:00Z", event_id="forged-call")


def embedded_function(aws) -> str:
    """The monitor function as deployed, on moto: its name and environment (the function's settings),
    which a replay on a deployed stack reads to build the same pipeline."""
    import os
    import zipfile

    import botocore.session

    session = botocore.session.get_session()
    role = session.create_client("iam", region_name=aws.region).create_role(
        RoleName="monitor-function", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "")
    names = ("AUDIT_TABLE_NAME", "NOTIFICATION_TOPIC_ARN", "DEAD_LETTER_QUEUE_URL", "EVENTS_QUEUE_ARN")
    session.create_client("lambda", region_name=aws.region).create_function(
        FunctionName="braket-task-monitor",
        Runtime="python3.13",
        Role=role,
        Handler="task_monitor.handler.lambda_handler",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": {name: os.environ[name] for name in names}},
    )
    return "braket-task-monitor"


def _caller_identity(aws) -> str:
    import botocore.session

    return botocore.session.get_session().create_client("sts", region_name=aws.region).get_caller_identity()["Arn"]


def _call_items(aws) -> dict[str, dict[str, Any]]:
    return {item["eventId"]: item for item in aws.audit_log().history(TASK_ARN) if "status" not in item}


def test_an_event_through_the_events_queue_is_marked_queue_with_its_message_id(embedded) -> None:
    embedded.braket.put_task(description("QUEUED"))
    (message_id,) = embedded.deliver(task_event("QUEUED"))
    embedded.drain()
    log = embedded.audit_log()
    (item,) = log.history(TASK_ARN)
    assert item["arrival"] == {"via": "queue", "messageId": message_id}
    assert "arrival" not in log.latest(TASK_ARN)  # one event's fact: on its own item (issue 15)


def test_a_direct_invocation_is_processed_and_marked_direct(embedded) -> None:
    embedded.braket.put_task(description("QUEUED"))
    invocation = embedded.invoke(task_event("QUEUED"))
    assert invocation.succeeded and invocation.response["outcome"] == "recorded"
    assert invocation.response["arrival"] == "direct"  # the answer and the log line say so too
    log = embedded.audit_log()
    assert [item["arrival"] for item in log.history(TASK_ARN)] == [{"via": "direct"}]
    assert "arrival" not in log.latest(TASK_ARN)  # one event's fact: on its own item (issue 15)


@pytest.mark.parametrize("forged_first", [True, False], ids=["forged-first", "real-first"])
def test_a_backdated_call_by_direct_invocation_is_kept_but_never_names_the_creator(embedded, forged_first) -> None:
    real = create_task_call(TASK_ARN)
    if forged_first:
        forged = embedded.invoke(_forged_call())
        _through_queue(embedded, real, *lifecycle())
    else:
        _through_queue(embedded, real, *lifecycle()[:2])
        forged = embedded.invoke(_forged_call())
        _through_queue(embedded, *lifecycle()[2:])
    assert forged.succeeded and forged.response["outcome"] == "kept-unjoined"
    latest = embedded.audit_log().latest(TASK_ARN)
    assert (latest["status"], latest["createdBy"]["principal"]) == ("COMPLETED", REAL_CREATOR)
    calls = _call_items(embedded)
    assert calls["forged-call"]["arrival"] == {"via": "direct"}  # kept in the history, marked
    assert calls["forged-call"]["createdBy"]["principal"] == FORGED_CREATOR
    (envelope,) = embedded.subscriber_messages()  # the ending notification names the real creator
    assert envelope["MessageAttributes"]["createdBy"]["Value"] == REAL_CREATOR


def test_a_forged_call_alone_leaves_the_creator_unknown_even_at_the_end(embedded) -> None:
    assert embedded.invoke(_forged_call()).succeeded
    _through_queue(embedded, *lifecycle())
    latest = embedded.audit_log().latest(TASK_ARN)
    assert (latest["status"], latest["createdBy"]["principal"]) == ("COMPLETED", "unknown")
    (envelope,) = embedded.subscriber_messages()  # nor does the ending notification take it from the history
    assert envelope["MessageAttributes"]["createdBy"]["Value"] == "unknown"


def test_a_replay_of_a_dumped_dead_letter_names_the_operator_and_the_message_and_joins(tmp_path) -> None:
    # What `aws sqs receive-message` printed for the dead-letter queue, and the task's own events
    dump = {"Messages": [{"MessageId": "dead-1", "Body": json.dumps(create_task_call(TASK_ARN))}]}
    (tmp_path / "dlq.json").write_text(json.dumps(dump))
    (tmp_path / "events.json").write_text(json.dumps([*lifecycle()[:1], create_task_call(TASK_ARN, event_id="file")]))
    out = io.StringIO()
    assert main(["replay", "--embedded", str(tmp_path / "dlq.json"), str(tmp_path / "events.json")], out=out) == 0
    calls = [line.split("  ")[-1] for line in out.getvalue().splitlines() if " CreateQuantumTask " in line]
    # the dead letter's call joins; the same call from an event file is only kept
    assert [outcome.strip() for outcome in calls] == [
        "joined onto the task",
        "kept in the task's history, not joined: not from the events queue or a dead letter",
    ]


def test_a_replay_of_the_dead_letter_queue_names_the_operator_and_joins(embedded) -> None:
    """``replay --from-dead-letter-queue``: the CLI reads the queue itself, as the operator
    (sts:GetCallerIdentity: moto's fixed identity here), and deletes each message it processed; the
    pipeline is built by ``wiring`` from the function's settings, found through the stack's outputs."""
    _through_queue(embedded, *lifecycle()[:2])
    # The real call, moved to the dead-letter queue after its receives ran out
    sent = embedded.sqs.send_message(
        QueueUrl=embedded.dead_letters_url, MessageBody=json.dumps(create_task_call(TASK_ARN))
    )
    out, err = io.StringIO(), io.StringIO()
    function = embedded_function(embedded)
    outputs = {"AuditTableName": TABLE_NAME, "NotificationTopicArn": embedded.topic_arn,
               "DeadLetterQueueUrl": embedded.dead_letters_url, "FunctionName": function}  # fmt: skip
    with StacksEmulator({"BraketTaskMonitor": outputs}).running():
        status = main(["replay", "--from-dead-letter-queue", "--region", embedded.region], out=out, err=err)
    assert status == 0, (out.getvalue(), err.getvalue())
    assert "joined onto the task" in out.getvalue() and err.getvalue() == ""
    operator = _caller_identity(embedded)
    (call,) = _call_items(embedded).values()
    assert call["arrival"] == {"via": "replay", "messageId": sent["MessageId"], "operator": operator}
    assert embedded.audit_log().latest(TASK_ARN)["createdBy"]["principal"] == REAL_CREATOR
    assert embedded.dead_letters() == []  # processed, so deleted from the dead-letter queue


def test_an_operator_replay_through_the_embedded_aws_names_the_demo_operator(embedded) -> None:
    replayed = embedded.replay(create_task_call(TASK_ARN), dead_letter_message_id="dead-2")
    assert replayed.succeeded and replayed.response["outcome"] == "recorded"
    (call,) = _call_items(embedded).values()
    assert call["arrival"] == {"via": "replay", "messageId": "dead-2", "operator": DEMO_OPERATOR}
    file_replay = embedded.replay(create_task_call(TASK_ARN, identity=FORGER, event_id="from-a-file"))
    assert file_replay.response["outcome"] == "kept-unjoined"
    assert _call_items(embedded)["from-a-file"]["arrival"] == {"via": "replay", "operator": DEMO_OPERATOR}
