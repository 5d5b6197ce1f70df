"""Redrive: dead letters moved back to the events queue by SQS's own message move task.

End to end on the embedded AWS (moto's queues, the real handler, the Braket emulator) with the message
move tasks answered by ``SqsMoveEmulator`` (moto 5.2.5 has none): what failed lands on the dead-letter
queue, a dry run changes nothing, the move puts it back, the function records what it now can, and
what fails again is back on the dead-letter queue; nothing is deleted by the redrive.
"""

from __future__ import annotations

import json

import pytest

from task_monitor_cli.ops import redrive
from task_monitor_devkit.builders.task import TASK_ARN, description, task_arn, task_event
from task_monitor_devkit.sqs_move_emulator import SqsMoveEmulator
from tests.e2e.conftest import cold_start_with

OTHER_ARN = task_arn(task_id="0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5")


@pytest.fixture
def moves(embedded):
    with SqsMoveEmulator(messages_per_poll=1).running(embedded.sqs) as emulator:
        yield emulator


def _dead_letter_arn(aws) -> str:
    return aws._queue_arn(aws.dead_letters_url)


def _visible(aws, url: str) -> int:
    attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def _fill_dead_letters(aws, fault) -> str:
    """Two events on the dead-letter queue: a valid one DynamoDB never took (retries exhausted, moved by
    the queue's redrive policy) and an invalid one the function set aside at once. The valid one's
    original message id."""
    aws.braket.put_task(description("RUNNING"))
    with cold_start_with(aws, "before-send.dynamodb", fault("TransactWriteItems")):
        (original,) = aws.deliver(task_event("RUNNING"))
        aws.drain()
    aws.deliver(task_event(shots="lots", arn=OTHER_ARN))
    aws.drain()
    assert _visible(aws, aws.dead_letters_url) == 2 and aws.audit_log().history(TASK_ARN) == []
    return original


def test_a_dry_run_summarises_the_dead_letters_and_changes_nothing(embedded, fault) -> None:
    _fill_dead_letters(embedded, fault)
    found = redrive.survey(embedded.sqs, embedded.dead_letters_url)
    assert (found.approximate_count, found.in_flight) == (2, 0)
    assert found.queue_arn == _dead_letter_arn(embedded)
    assert found.reasons == {redrive.REDRIVEN_BY_POLICY: 1, "InvalidEventError (detail.shots)": 1}
    assert found.kinds == {"Braket Task State Change": 2}
    # Nothing consumed: both still visible at once, nothing on the events queue, nothing recorded
    assert redrive.survey(embedded.sqs, embedded.dead_letters_url, peek=0).approximate_count == 2
    assert embedded.queued_events() == 0 and embedded.audit_log().history(TASK_ARN) == []
    bodies = sorted(json.loads(letter.body)["detail"]["status"] for letter in embedded.dead_letters())
    assert bodies == ["COMPLETED", "RUNNING"]


def test_redrive_moves_dead_letters_back_and_what_fails_again_returns_to_the_dead_letter_queue(
    embedded, fault, moves
) -> None:
    # Given a recoverable and a permanently bad event on the dead-letter queue (DynamoDB back now)
    original = _fill_dead_letters(embedded, fault)
    # When they are moved to the events queue, one message per poll
    task = redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded.events_arn)
    seen = list(redrive.progress(embedded.sqs, task.source_arn, sleep=lambda _: None))
    # Then progress counts up to both, and the task ends COMPLETED
    assert [(step.moved, step.total, step.status) for step in seen] == [
        (1, 2, "RUNNING"),
        (2, 2, "COMPLETED"),
    ]
    assert seen[-1].succeeded and seen[-1].failure_reason is None
    assert _visible(embedded, embedded.dead_letters_url) == 0 and embedded.queued_events() == 2
    # And the function, polling as the event source mapping does, records the recoverable one
    embedded.drain()
    (recorded,) = embedded.audit_log().history(TASK_ARN)
    assert recorded["status"] == "RUNNING"
    # through the events queue, as a new message (a redrive sends new messages): vouched, its own id
    assert recorded["arrival"]["via"] == "queue" and recorded["arrival"]["messageId"] != original
    # And the invalid one is back on the dead-letter queue, set aside again with its reason
    (letter,) = embedded.dead_letters()
    assert json.loads(letter.body) == task_event(shots="lots", arn=OTHER_ARN)
    assert letter.attributes["field"] == "detail.shots"
    assert embedded.queued_events() == 0


def test_a_rate_is_passed_to_sqs_and_moves_that_many_per_step(embedded, fault, moves) -> None:
    _fill_dead_letters(embedded, fault)
    redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded.events_arn, rate=2)
    (only,) = list(redrive.progress(embedded.sqs, _dead_letter_arn(embedded), sleep=lambda _: None))
    assert (only.moved, only.status) == (2, "COMPLETED")
    assert moves.tasks[0].rate == 2


def test_a_second_redrive_while_one_runs_is_refused_naming_the_fix(embedded, fault, moves) -> None:
    _fill_dead_letters(embedded, fault)
    first = redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded.events_arn)
    with pytest.raises(redrive.MoveTaskRunningError) as refused:
        redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded.events_arn)
    message = str(refused.value)
    assert "already running" in message and first.handle in message and "\n" not in message


def test_sqs_itself_refuses_a_second_active_task_on_the_same_source(embedded, fault, moves) -> None:
    _fill_dead_letters(embedded, fault)
    source = _dead_letter_arn(embedded)
    embedded.sqs.start_message_move_task(SourceArn=source, DestinationArn=embedded.events_arn)
    with pytest.raises(embedded.sqs.exceptions.ClientError, match=r"InvalidParameterValue.*already a task running"):
        embedded.sqs.start_message_move_task(SourceArn=source, DestinationArn=embedded.events_arn)


def test_a_task_started_by_someone_else_between_the_check_and_the_start_is_named(embedded, fault, moves) -> None:
    _fill_dead_letters(embedded, fault)
    refusal = "There is already a task running. Only one active task is allowed for a source queue arn at a time."
    moves.fail_next("InvalidParameterValue", operation="StartMessageMoveTask", message=refusal)
    with pytest.raises(redrive.MoveTaskRunningError, match="already running") as refused:
        redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded.events_arn)
    assert "\n" not in str(refused.value)


def test_a_refusal_no_grant_would_fix_is_not_called_a_denial(embedded, moves) -> None:
    moves.fail_next("InvalidSecurity", operation="ListMessageMoveTasks", status=403)
    with pytest.raises(redrive.RedriveError) as refused:
        redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded.events_arn)
    assert not isinstance(refused.value, redrive.AccessDeniedError)
    assert "InvalidSecurity" in str(refused.value) and "redrivePrincipals" not in str(refused.value)


def test_only_a_dead_letter_queue_can_be_a_source(embedded, moves) -> None:
    with pytest.raises(redrive.NotADeadLetterQueueError, match="not a dead-letter queue"):
        redrive.start(embedded.sqs, embedded.events_arn, embedded._queue_arn(embedded.dead_letters_url))


def test_a_missing_queue_is_named_with_the_fix(embedded, moves) -> None:
    missing = embedded.events_arn.replace("braket-task-monitor-events", "no-such-queue")
    with pytest.raises(redrive.QueueMissingError, match=r"does not exist.*--stack"):
        redrive.start(embedded.sqs, missing, embedded.events_arn)
    with pytest.raises(redrive.QueueMissingError):
        redrive.survey(embedded.sqs, embedded.events_url.replace("events", "nothing"))


def test_access_denied_names_the_permissions_to_add(embedded, moves) -> None:
    moves.fail_next("AccessDenied", operation="ListMessageMoveTasks", status=403)
    with pytest.raises(redrive.AccessDeniedError, match="redrivePrincipals") as denied:
        redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded.events_arn)
    assert "\n" not in str(denied.value)


def test_cancelling_stops_the_move_and_keeps_what_was_moved(embedded, fault, moves) -> None:
    _fill_dead_letters(embedded, fault)
    task = redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded.events_arn)
    (first,) = list(redrive.progress(embedded.sqs, task.source_arn, max_polls=1))
    assert (first.moved, first.status) == (1, "RUNNING")
    assert redrive.cancel(embedded.sqs, task.handle) == 1
    last = list(redrive.progress(embedded.sqs, task.source_arn, sleep=lambda _: None))[-1]
    assert (last.status, last.moved) == ("CANCELLED", 1)
    assert _visible(embedded, embedded.dead_letters_url) == 1 and embedded.queued_events() == 1


def test_a_destination_deleted_meanwhile_fails_the_task_with_its_reason_and_loses_nothing(
    embedded, fault, moves
) -> None:
    _fill_dead_letters(embedded, fault)
    doomed = embedded.sqs.create_queue(QueueName="doomed")["QueueUrl"]
    doomed_arn = embedded._queue_arn(doomed)
    redrive.start(embedded.sqs, _dead_letter_arn(embedded), doomed_arn)
    embedded.sqs.delete_queue(QueueUrl=doomed)
    (last,) = list(redrive.progress(embedded.sqs, _dead_letter_arn(embedded), sleep=lambda _: None))
    assert last.status == "FAILED" and not last.succeeded
    assert last.failure_reason == "AWS.SimpleQueueService.NonExistentQueue"
    assert _visible(embedded, embedded.dead_letters_url) == 2


def test_the_listing_follows_the_documented_shape(embedded, fault, moves) -> None:
    _fill_dead_letters(embedded, fault)
    source = _dead_letter_arn(embedded)
    handle = embedded.sqs.start_message_move_task(SourceArn=source, DestinationArn=embedded.events_arn)["TaskHandle"]
    (running,) = embedded.sqs.list_message_move_tasks(SourceArn=source)["Results"]
    assert running["TaskHandle"] == handle and running["ApproximateNumberOfMessagesToMove"] == 2
    assert "MaxNumberOfMessagesPerSecond" not in running and "FailureReason" not in running
    (done,) = embedded.sqs.list_message_move_tasks(SourceArn=source)["Results"]
    assert done["Status"] == "COMPLETED" and "TaskHandle" not in done  # only a RUNNING task shows its handle
    with pytest.raises(embedded.sqs.exceptions.UnsupportedOperation):
        embedded.sqs.cancel_message_move_task(TaskHandle=handle)  # only a RUNNING task can be cancelled
    with pytest.raises(embedded.sqs.exceptions.ClientError, match="MaxNumberOfMessagesPerSecond"):
        embedded.sqs.start_message_move_task(SourceArn=source, MaxNumberOfMessagesPerSecond=501)


@pytest.mark.parametrize(("peek", "expected"), [(5, 5), (10, 10), (20, 12)])
def test_a_peek_sees_at_most_what_it_asks_and_ends_when_no_other_message_comes(embedded, peek, expected) -> None:
    for number in range(12):
        embedded.sqs.send_message(QueueUrl=embedded.dead_letters_url, MessageBody=json.dumps({"n": number}))
    found = redrive.survey(embedded.sqs, embedded.dead_letters_url, peek=peek)
    assert len(found.sample) == expected and len({letter.message_id for letter in found.sample}) == expected
    assert found.kinds == {"no detail-type": expected}
    assert redrive.survey(embedded.sqs, embedded.dead_letters_url, peek=0).approximate_count == 12


def test_a_moved_message_keeps_its_body_and_attributes_as_a_new_message(embedded, moves) -> None:
    attributes = {"errorType": {"DataType": "String", "StringValue": "InvalidEventError"}}
    sent = embedded.sqs.send_message(
        QueueUrl=embedded.dead_letters_url, MessageBody='{"kept": true}', MessageAttributes=attributes
    )
    holding = embedded.sqs.create_queue(QueueName="holding")["QueueUrl"]
    redrive.start(embedded.sqs, _dead_letter_arn(embedded), embedded._queue_arn(holding))
    list(redrive.progress(embedded.sqs, _dead_letter_arn(embedded), sleep=lambda _: None))
    (moved,) = embedded.sqs.receive_message(
        QueueUrl=holding, MessageAttributeNames=["All"], AttributeNames=["ApproximateReceiveCount"]
    )["Messages"]
    assert moved["Body"] == '{"kept": true}' and moved["MessageId"] != sent["MessageId"]
    assert moved["MessageAttributes"]["errorType"]["StringValue"] == "InvalidEventError"
    assert moved["Attributes"]["ApproximateReceiveCount"] == "1"
