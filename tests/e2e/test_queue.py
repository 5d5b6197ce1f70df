"""The deployed path: events wait on the SQS queue and reach ``lambda_handler`` in batches.

``EmbeddedAws.poll``/``drain`` read moto's SQS the way the event source mapping does: a partial
batch response leaves only the named messages on the queue, they come back with a higher receive
count, and after ``max_receives`` the queue's redrive policy moves them to the dead-letter queue.
"""

from __future__ import annotations

import json

from task_monitor_devkit.builders.task import TASK_ARN, description, task_arn, task_event
from tests.e2e.conftest import cold_start_with

OTHER_ARN = task_arn(task_id="0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5")


def _scan(aws) -> list:
    return aws.dynamodb.scan(TableName="braket-task-audit")["Items"]


def test_a_failing_event_is_retried_alone_and_its_batch_s_successes_are_not_run_again(embedded, fault) -> None:
    # Given three events in one batch, of which only the COMPLETED one cannot be announced (SNS unreachable)
    embedded.braket.put_task(description("COMPLETED"))
    embedded.braket.put_task(description("RUNNING", arn=OTHER_ARN))
    sns_down = fault("Publish")
    with cold_start_with(embedded, "before-send.sns", sns_down):
        embedded.deliver(
            task_event("QUEUED", arn=OTHER_ARN), task_event("COMPLETED"), task_event("RUNNING", arn=OTHER_ARN)
        )
        first = embedded.poll()
    # Then the batch reports that one message only
    assert first is not None and len(first.message_ids) == 3
    (retried,) = first.retried
    assert retried == first.message_ids[1]
    # And when SQS redelivers it (SNS back), it is announced once, and the other two are not run again
    calls_before = len(embedded.braket.calls)
    (second,) = embedded.drain()
    assert second.message_ids == [retried] and second.retried == []
    assert len(embedded.braket.calls) == calls_before + 1
    assert [m["Record"]["status"] for m in embedded.subscriber_messages()] == ["COMPLETED"]
    assert embedded.queued_events() == 0 and embedded.dead_letters() == []
    history = embedded.audit_log().history(OTHER_ARN)
    assert [r["status"] for r in history] == ["QUEUED", "RUNNING"]


def test_an_invalid_event_goes_to_the_dead_letter_queue_at_once_with_its_error(embedded, capsys) -> None:
    # Given an invalid event and a valid one in one batch
    bad = task_event(shots="lots")
    embedded.braket.put_task(description("QUEUED"))
    embedded.deliver(bad, task_event("QUEUED"))
    # When the batch is handled
    (batch,) = embedded.drain()
    # Then nothing is retried: the invalid event is set aside on its first receive, the valid one recorded
    assert batch.retried == []
    (letter,) = embedded.dead_letters()
    assert json.loads(letter.body) == bad  # the event as it came, for a replay once fixed
    assert letter.attributes["errorType"] == "InvalidEventError"
    assert letter.attributes["field"] == "detail.shots"
    assert letter.attributes["errorMessage"].startswith("invalid Braket event: detail.shots: 'lots'")
    assert letter.attributes["sourceMessageId"] == batch.message_ids[0]
    assert letter.receive_count == 1  # a new message (this read is its first receive), not one redriven after many
    # And only the valid event was written, asked about and counted
    assert [r["status"] for r in embedded.audit_log().history(TASK_ARN)] == ["QUEUED"]
    assert len(embedded.braket.calls) == 1
    assert '"InvalidEvents":[1.0]' in capsys.readouterr().out.replace(" ", "")


def test_a_body_that_is_not_json_is_set_aside_unchanged(embedded) -> None:
    embedded.deliver("{truncated")
    (batch,) = embedded.drain()
    assert batch.retried == []
    (letter,) = embedded.dead_letters()
    assert letter.body == "{truncated"
    assert "the SQS message body is not JSON" in letter.attributes["errorMessage"]
    assert _scan(embedded) == [] and embedded.braket.calls == []


def test_a_redelivered_message_is_processed_once_it_can_be(embedded, fault) -> None:
    # Given DynamoDB unreachable for the first two receives of an event
    embedded.braket.put_task(description("RUNNING"))
    dynamodb_down = fault("TransactWriteItems", times=2 * 4)  # four attempts per receive (botocore's retries)
    with cold_start_with(embedded, "before-send.dynamodb", dynamodb_down):
        embedded.deliver(task_event("RUNNING"))
        batches = embedded.drain()
    # Then it is redelivered until it succeeds, and recorded once
    assert [len(b.retried) for b in batches] == [1, 1, 0]
    assert [r["status"] for r in embedded.audit_log().history(TASK_ARN)] == ["RUNNING"]
    assert embedded.dead_letters() == []


def test_a_message_that_never_succeeds_reaches_the_dead_letter_queue_after_its_last_receive(embedded, fault) -> None:
    embedded.braket.put_task(description("RUNNING"))
    with cold_start_with(embedded, "before-send.dynamodb", fault("TransactWriteItems")):
        embedded.deliver(task_event("RUNNING"))
        batches = embedded.drain()
    assert len(batches) == embedded.max_receives
    (letter,) = embedded.dead_letters()
    assert json.loads(letter.body) == task_event("RUNNING")
    assert letter.attributes == {}  # moved by the queue's redrive policy; the function logged each failure


def test_with_too_little_time_left_the_batch_is_handed_back_untouched(embedded) -> None:
    embedded.braket.put_task(description("QUEUED"))
    embedded.deliver(task_event("QUEUED"), task_event("RUNNING"))
    batch = embedded.poll(time_left_ms=lambda: 5_000)
    assert batch is not None and sorted(batch.retried) == sorted(batch.message_ids)
    assert _scan(embedded) == [] and embedded.braket.calls == []
    # And with time, the next poll does the work
    embedded.drain()
    assert [r["status"] for r in embedded.audit_log().history(TASK_ARN)] == ["QUEUED", "RUNNING"]


def test_when_the_dead_letter_queue_refuses_an_invalid_event_it_stays_on_the_queue(embedded, fault) -> None:
    with cold_start_with(embedded, "before-send.sqs", fault("SendMessage", times=4)):
        embedded.deliver(task_event(shots="lots"))
        first = embedded.poll()
    assert first is not None and first.retried == first.message_ids  # not lost: SQS gives it back
    embedded.drain()
    (letter,) = embedded.dead_letters()
    assert letter.attributes["field"] == "detail.shots"


# -- requests AWS refuses for themselves: set aside at once, not retried for six hours -----------------------
def _event_items(aws) -> list[dict]:
    return [item for item in _scan(aws) if item["sk"]["S"].startswith("EVENT#")]


def test_an_event_dynamodb_refuses_for_itself_goes_to_the_dead_letter_queue_on_its_first_receive(
    embedded, error_answer, capsys
) -> None:
    # Given DynamoDB refusing the event's write as it refuses a key or an item too large
    embedded.braket.put_task(description("RUNNING"))
    refused = error_answer("TransactWriteItems", "ValidationException")
    with cold_start_with(embedded, "before-send.dynamodb.TransactWriteItems", refused):
        embedded.deliver(task_event("RUNNING"))
        batches = embedded.drain()
    # Then it is not handed back: set aside on its first receive, with the service's error
    assert [batch.retried for batch in batches] == [[]]
    assert refused.answered == 1
    (letter,) = embedded.dead_letters()
    assert json.loads(letter.body) == task_event("RUNNING")
    assert letter.receive_count == 1
    assert letter.attributes["errorType"] == "RequestRefusedError"
    assert (letter.attributes["service"], letter.attributes["operation"], letter.attributes["awsErrorCode"]) == (
        "DynamoDB",
        "TransactWriteItems",
        "ValidationException",
    )
    assert letter.attributes["errorMessage"].startswith("DynamoDB refused TransactWriteItems: ValidationException")
    assert letter.attributes["sourceMessageId"] == batches[0].message_ids[0]
    assert "field" not in letter.attributes
    # And counted apart from invalid events and from failures to retry; nothing was written
    metrics = capsys.readouterr().out.replace(" ", "")
    assert '"RefusedEvents":[1.0]' in metrics
    assert '"FailedEvents"' not in metrics and '"InvalidEvents"' not in metrics
    assert _scan(embedded) == []


def test_invoked_directly_an_event_aws_refuses_raises_the_refusal(embedded, error_answer) -> None:
    from task_monitor.errors import RequestRefusedError

    embedded.braket.put_task(description("RUNNING"))
    refused = error_answer("TransactWriteItems", "ValidationException")
    with cold_start_with(embedded, "before-send.dynamodb.TransactWriteItems", refused):
        invocation = embedded.invoke(task_event("RUNNING"))
    assert isinstance(invocation.error, RequestRefusedError) and invocation.error.code == "ValidationException"


def test_throttling_is_still_retried_and_the_event_recorded_once_it_passes(embedded, error_answer) -> None:
    # Given DynamoDB throttling every attempt of the first receive (botocore's four)
    embedded.braket.put_task(description("RUNNING"))
    throttled = error_answer("TransactWriteItems", "ProvisionedThroughputExceededException", times=4)
    with cold_start_with(embedded, "before-send.dynamodb.TransactWriteItems", throttled):
        embedded.deliver(task_event("RUNNING"))
        batches = embedded.drain()
    # Then it is handed back once, and recorded on its redelivery; nothing is set aside
    assert [len(batch.retried) for batch in batches] == [1, 0]
    assert throttled.answered == 4
    assert [r["status"] for r in embedded.audit_log().history(TASK_ARN)] == ["RUNNING"]
    assert embedded.dead_letters() == []


def test_a_notification_sns_refuses_is_set_aside_with_its_claim_given_back_so_a_replay_announces_it(
    embedded, error_answer
) -> None:
    # Given SNS refusing the COMPLETED event's message for itself (InvalidParameter)
    embedded.braket.put_task(description("COMPLETED"))
    refused = error_answer("Publish", "InvalidParameter")
    with cold_start_with(embedded, "before-send.sns.Publish", refused):
        embedded.deliver(task_event("COMPLETED"))
        (batch,) = embedded.drain()
    # Then the message is set aside at once with SNS's error, nothing was published
    assert batch.retried == [] and refused.answered == 1
    (letter,) = embedded.dead_letters()
    assert (letter.attributes["service"], letter.attributes["operation"], letter.attributes["awsErrorCode"]) == (
        "SNS",
        "Publish",
        "InvalidParameter",
    )
    assert embedded.subscriber_messages() == []
    # And the audit is whole: the event recorded, its notification given back (PENDING), not left claimed
    assert embedded.audit_log().latest(TASK_ARN)["status"] == "COMPLETED"
    (event_item,) = _event_items(embedded)
    assert event_item["notification"]["S"] == "PENDING" and "claimId" not in event_item
    # When the cause is fixed and the dead letter is moved back to the events queue
    embedded.deliver(letter.body)
    assert [b.retried for b in embedded.drain()] == [[]]
    # Then it is announced, once, and recorded once
    (notice,) = embedded.subscriber_messages()
    assert notice["Record"]["status"] == "COMPLETED"
    assert [r["status"] for r in embedded.audit_log().history(TASK_ARN)] == ["COMPLETED"]
    assert _event_items(embedded)[0]["notification"]["S"] == "SENT"
    assert embedded.dead_letters() == []
