"""CloudTrail calls end to end, through the real handler's SQS batch path (moto and the Braket emulator).

Who created and who cancelled a task is joined from ``AWS API Call via CloudTrail`` events that may
come before or after the task's state events, twice, or never; the end result must not depend on it.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from task_monitor_devkit.builders.api_call import (
    JOB_ARN,
    NEVER_STORED,
    assumed_role,
    cancel_job_call,
    cancel_task_call,
    create_job_call,
    create_task_call,
    failed_create_task_call,
    iam_user,
)
from task_monitor_devkit.builders.task import TASK_ARN, description, lifecycle, task_event

TABLE = "braket-task-audit"
ROLE = "arn:aws:iam::123456789012:role/QubitWrangler"
USER = "arn:aws:iam::123456789012:user/tomasz"
UNKNOWN_LINE = "unknown (no CloudTrail record of the call received yet)"


@contextlib.contextmanager
def captured_logs(aws) -> Iterator[io.StringIO]:
    """The function's log lines while active (one logger per process: its stream is put back)."""
    stream, logger = io.StringIO(), aws.handler.logger
    level, previous = logger.log_level, logger.registered_handler.stream
    logger.registered_handler.setStream(stream)
    logger.setLevel("INFO")
    try:
        yield stream
    finally:
        logger.registered_handler.setStream(previous)
        logger.setLevel(level)


def _send(aws, *events: dict[str, Any]) -> None:
    """Each event through the events queue in its own poll; state events meet GetQuantumTask's view."""
    for event in events:
        if event["detail-type"] == "Braket Task State Change":
            aws.braket.put_task(description(event["detail"]["status"]))
        aws.deliver(event)
        batches = aws.drain()
        assert [batch.retried for batch in batches] == [[]], "nothing is handed back for a retry"
    assert aws.dead_letters() == []


def _emails(aws) -> list[str]:
    return [message.email_text for message in aws.published]


def test_create_call_before_created_is_kept_and_named_at_the_end(embedded) -> None:
    _send(embedded, create_task_call(TASK_ARN), *lifecycle())
    log = embedded.audit_log()
    latest = log.latest(TASK_ARN)
    assert (latest["status"], latest["createdBy"]["principal"]) == ("COMPLETED", ROLE)
    assert [r.get("status", r["eventName"]) for r in log.history(TASK_ARN)] == [
        "CreateQuantumTask",
        "CREATED",
        "QUEUED",
        "RUNNING",
        "COMPLETED",
    ]
    (envelope,) = embedded.subscriber_messages()
    assert envelope["Record"]["createdBy"]["principal"] == ROLE
    assert "sessionName" not in envelope["Record"]["createdBy"]  # by principal unless notifyCallerDetails
    assert envelope["MessageAttributes"]["createdBy"]["Value"] == ROLE
    (email,) = _emails(embedded)
    assert f"Created by    {ROLE}\n" in email and "203.0.113.58" not in email and "marisol" not in email


def test_create_call_after_completed_is_joined_onto_the_ended_task(embedded) -> None:
    _send(embedded, *lifecycle())
    assert embedded.audit_log().latest(TASK_ARN)["createdBy"] == {"principal": "unknown"}
    _send(embedded, create_task_call(TASK_ARN))
    latest = embedded.audit_log().latest(TASK_ARN)
    assert (latest["status"], latest["createdBy"]["principal"]) == ("COMPLETED", ROLE)
    (email,) = _emails(embedded)  # the call announces nothing itself
    assert f"Created by    {UNKNOWN_LINE}" in email


def test_call_never_received_leaves_record_and_notification_saying_unknown(embedded) -> None:
    _send(embedded, *lifecycle())
    assert embedded.audit_log().latest(TASK_ARN)["createdBy"] == {"principal": "unknown"}
    (envelope,) = embedded.subscriber_messages()
    assert envelope["MessageAttributes"]["createdBy"]["Value"] == "unknown"
    (email,) = _emails(embedded)
    assert f"Created by    {UNKNOWN_LINE}" in email and "Cancelled by" not in email


def test_duplicated_call_events_are_written_once(embedded) -> None:
    call = create_task_call(TASK_ARN)
    embedded.deliver(call, call)  # the same event twice in one batch
    embedded.drain()
    items = embedded.dynamodb.scan(TableName=TABLE)["Items"]
    _send(embedded, call)  # and once more later
    assert embedded.dynamodb.scan(TableName=TABLE)["Items"] == items
    assert len(items) == 2  # the call's history item, and the latest state naming the caller
    assert embedded.audit_log().latest(TASK_ARN)["createdBy"]["principal"] == ROLE


def test_cancellation_by_another_user_names_both(embedded) -> None:
    created, queued, _, _ = lifecycle()
    _send(
        embedded,
        created,
        create_task_call(TASK_ARN, identity=assumed_role("QubitWrangler", "marisol")),
        queued,
        task_event("CANCELLING"),
        cancel_task_call(TASK_ARN, identity=iam_user("tomasz")),
        task_event("CANCELLED"),
    )
    latest = embedded.audit_log().latest(TASK_ARN)
    assert (latest["status"], latest["createdBy"]["principal"], latest["cancelledBy"]["principal"]) == (
        "CANCELLED",
        ROLE,
        USER,
    )
    (envelope,) = embedded.subscriber_messages()
    assert envelope["MessageAttributes"]["createdBy"]["Value"] == ROLE
    assert envelope["MessageAttributes"]["cancelledBy"]["Value"] == USER
    (email,) = _emails(embedded)
    assert f"Created by    {ROLE}\n" in email and "marisol" not in email  # by principal (README, Privacy)
    assert f"Cancelled by  {USER}\n" in email and "203.0.113.58" not in email


def test_cancelled_before_the_cancel_call_arrives_says_unknown_then_learns_it(embedded) -> None:
    _send(embedded, create_task_call(TASK_ARN), task_event("QUEUED"), task_event("CANCELLED"))
    assert embedded.audit_log().latest(TASK_ARN)["cancelledBy"] == {"principal": "unknown"}
    (email,) = _emails(embedded)
    assert f"Cancelled by  {UNKNOWN_LINE}" in email
    _send(embedded, cancel_task_call(TASK_ARN, identity=iam_user()))
    assert embedded.audit_log().latest(TASK_ARN)["cancelledBy"]["principal"] == USER


def test_job_calls_are_joined_onto_the_job(embedded) -> None:
    _send(embedded, create_job_call(JOB_ARN), cancel_job_call(JOB_ARN, identity=iam_user()))
    latest = embedded.audit_log().latest(JOB_ARN)
    assert latest["createdBy"]["principal"] == ROLE
    assert latest["cancelledBy"]["principal"] == USER
    history = embedded.audit_log().history(JOB_ARN)
    assert [r["eventName"] for r in history] == ["CreateJob", "CancelJob"]
    # the call's parameters stay on the call's own item; the latest state names who
    assert history[0]["createdBy"]["requestParameters"]["hyperParameterKeys"] == ["layers", "learning_rate"]
    assert "requestParameters" not in latest["createdBy"]
    assert embedded.audit_log().latest(TASK_ARN) is None  # nothing leaked into a task partition


def test_failed_call_writes_nothing_and_is_neither_retried_nor_set_aside(embedded, capsys) -> None:
    with captured_logs(embedded) as logs:
        _send(embedded, failed_create_task_call())
    assert embedded.dynamodb.scan(TableName=TABLE)["Items"] == []
    assert embedded.published == [] and embedded.queued_events() == 0
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    (not_joined,) = [line for line in lines if line["message"] == "API call not joined"]
    assert not_joined["eventName"] == "CreateQuantumTask" and "ValidationException" in not_joined["reason"]
    assert '"ApiCallsNotJoined":[1.0]' in capsys.readouterr().out.replace(" ", "")


def test_joined_calls_are_counted_by_call(embedded, capsys) -> None:
    _send(embedded, create_task_call(TASK_ARN))
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(doc.get("call") == "CreateQuantumTask" and "ApiCallsJoined" in doc for doc in emitted)


@pytest.mark.parametrize("job_token", [False, True])
def test_no_credential_token_or_payload_is_stored_published_or_logged(embedded, capsys, job_token) -> None:
    with captured_logs(embedded) as logs:
        _send(
            embedded,
            create_task_call(TASK_ARN, job_token=job_token),
            *lifecycle()[:2],
            cancel_task_call(TASK_ARN),
            task_event("CANCELLED"),
            create_job_call(JOB_ARN),
            cancel_job_call(JOB_ARN),
            failed_create_task_call(),
        )
    stored = json.dumps(embedded.dynamodb.scan(TableName=TABLE)["Items"])
    published = json.dumps(embedded.subscriber_messages()) + json.dumps([vars(m) for m in embedded.published])
    logged = logs.getvalue() + capsys.readouterr().out
    assert "createdBy" in stored and "cancelledBy" in published  # the callers are there...
    for where, text in (("table", stored), ("notifications", published), ("logs", logged)):
        for secret in NEVER_STORED:  # ...but not the access key id, session token, program or tokens
            assert secret not in text, (where, secret)
        for name in ("accessKeyId", "sessionToken", "jobToken", "clientToken", "deviceParameters"):
            assert name not in text, (where, name)
