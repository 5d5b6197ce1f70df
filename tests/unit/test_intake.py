"""The SQS intake with fakes: which messages are retried, rejected or left, and in what order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from task_monitor.domain.arrival import Arrival
from task_monitor.domain.intake import TIME_RESERVED_FOR_AN_EVENT_MS, SqsIntake, is_sqs_batch, parse_body
from task_monitor.domain.ports import Rejection
from task_monitor.errors import InvalidEventError, RequestRefusedError
from task_monitor_devkit.builders.task import task_event
from tests.support.fakes import EVENTS_QUEUE_ARN, FakeDeadLetters


class RecordingObserver:
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def begin(self, message_id: str, event: Any) -> None:
        self.seen.append(("begin", message_id))

    def processed(self, result: Any) -> None:
        self.seen.append(("processed", result))

    def rejected(self, rejection: Rejection) -> None:
        self.seen.append(("rejected", rejection.message_id))

    def failed(self, message_id: str, error: Exception) -> None:
        self.seen.append(("failed", message_id))

    def deferred(self, message_ids: Sequence[str]) -> None:
        self.seen.append(("deferred", list(message_ids)))


def _process(event: Any, arrival: Arrival) -> str:
    """A stand-in pipeline: validates like the real one only as far as these tests need."""
    if not isinstance(event, dict) or "detail" not in event:
        raise InvalidEventError("detail", "missing or not an object")
    if event["detail"].get("status") == "BOOM":
        raise RuntimeError("DynamoDB unavailable")
    if event["detail"].get("status") == "HUGE":
        raise RequestRefusedError("DynamoDB", "TransactWriteItems", "ValidationException", "Item size has exceeded")
    return f"done {event['id']}"


def _record(message_id: str, body: Any) -> dict[str, Any]:
    return {"messageId": message_id, "body": body if isinstance(body, str) else json.dumps(body)}


def _intake(dead_letters: FakeDeadLetters | None = None, observer: RecordingObserver | None = None) -> SqsIntake:
    return SqsIntake(_process, dead_letters, observer or RecordingObserver(), clock=lambda: "2026-11-24T00:00:00.000Z")


def test_only_failed_messages_are_reported_for_a_retry() -> None:
    records = [
        _record("m1", task_event("QUEUED")),
        _record("m2", task_event("BOOM")),
        _record("m3", task_event("RUNNING")),
    ]
    assert _intake(FakeDeadLetters()).handle(records, lambda: 60_000) == {
        "batchItemFailures": [{"itemIdentifier": "m2"}]
    }


def test_an_invalid_event_is_sent_to_the_dead_letter_queue_as_it_came_and_not_retried() -> None:
    dead_letters, observer = FakeDeadLetters(), RecordingObserver()
    body = '{"id": "x"}'
    response = _intake(dead_letters, observer).handle([_record("m1", body)], lambda: 60_000)
    assert response == {"batchItemFailures": []}
    ((sent_body, rejection),) = dead_letters.sent
    assert sent_body == body
    assert (rejection.message_id, rejection.error.field, rejection.rejected_at) == (
        "m1",
        "detail",
        "2026-11-24T00:00:00.000Z",
    )
    assert ("rejected", "m1") in observer.seen


def test_an_invalid_event_that_cannot_be_set_aside_stays_on_the_queue() -> None:
    response = _intake(FakeDeadLetters(fail=True)).handle([_record("m1", "[]")], lambda: 60_000)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_without_a_dead_letter_queue_an_invalid_event_waits_for_the_queue_s_redrive() -> None:
    observer = RecordingObserver()
    response = _intake(None, observer).handle([_record("m1", "[]")], lambda: 60_000)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert ("failed", "m1") in observer.seen


@pytest.mark.parametrize("left_ms", [TIME_RESERVED_FOR_AN_EVENT_MS - 1, 0])
def test_with_too_little_time_left_the_rest_of_the_batch_is_handed_back_unstarted(left_ms: int) -> None:
    clock = iter([60_000, left_ms])
    observer = RecordingObserver()
    records = [_record(f"m{i}", task_event("QUEUED")) for i in range(1, 4)]
    response = _intake(FakeDeadLetters(), observer).handle(records, lambda: next(clock))
    assert response == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}
    assert [kind for kind, _ in observer.seen] == ["begin", "processed", "deferred"]


def test_a_body_that_is_not_json_names_the_body() -> None:
    with pytest.raises(InvalidEventError, match=r"body: the SQS message body is not JSON"):
        parse_body("{oops")
    with pytest.raises(InvalidEventError, match=r"body: expected the SQS message body as a string"):
        parse_body(None)


def test_a_record_without_a_message_id_fails_the_whole_batch() -> None:
    with pytest.raises(ValueError, match="messageId"):
        _intake().handle([{"body": "{}"}], lambda: 60_000)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"Records": []}, True),
        ({"Records": [{"messageId": "m1"}]}, True),
        (task_event(), False),
        ({"Records": [], "detail-type": "x"}, False),
        ({"Records": "nope"}, False),
        ([], False),
    ],
)
def test_an_sqs_batch_is_told_from_an_eventbridge_event_by_its_shape(event: Any, expected: bool) -> None:
    assert is_sqs_batch(event) is expected


def test_an_event_aws_refuses_for_itself_goes_to_the_dead_letter_queue_at_once_with_the_error() -> None:
    # A refusal every retry would meet again (here DynamoDB's, for an item too large) is not retried
    dead_letters, observer = FakeDeadLetters(), RecordingObserver()
    records = [_record("m1", task_event("HUGE")), _record("m2", task_event("BOOM")), _record("m3", task_event())]
    response = _intake(dead_letters, observer).handle(records, lambda: 60_000)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m2"}]}  # only the outage is retried
    ((sent_body, rejection),) = dead_letters.sent
    assert sent_body == records[0]["body"]
    assert isinstance(rejection.error, RequestRefusedError)
    assert (rejection.message_id, rejection.error.code) == ("m1", "ValidationException")
    assert [kind for kind, _ in observer.seen] == ["begin", "rejected", "begin", "failed", "begin", "processed"]


@pytest.mark.parametrize("dead_letters", [FakeDeadLetters(fail=True), None], ids=["refused-by-sqs", "no-queue"])
def test_a_refused_event_that_cannot_be_set_aside_stays_on_the_queue(dead_letters: FakeDeadLetters | None) -> None:
    observer = RecordingObserver()
    response = _intake(dead_letters, observer).handle([_record("m1", task_event("HUGE"))], lambda: 60_000)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert ("failed", "m1") in observer.seen


def test_each_message_arrives_from_the_events_queue_only_if_its_record_names_that_queue() -> None:
    """The batch record's eventSourceARN against EVENTS_QUEUE_ARN: another queue is marked as such."""
    arrivals: list[Arrival] = []
    intake = SqsIntake(
        lambda event, arrival: arrivals.append(arrival),
        None,
        RecordingObserver(),
        clock=lambda: "2026-11-24T00:00:00.000Z",
        events_queue_arn=EVENTS_QUEUE_ARN,
    )
    other = "arn:aws:sqs:us-east-1:123456789012:someone-elses-queue"
    records = [
        {**_record("m1", task_event("QUEUED")), "eventSourceARN": EVENTS_QUEUE_ARN},
        {**_record("m2", task_event("QUEUED")), "eventSourceARN": other},
        _record("m3", task_event("QUEUED")),  # names no queue at all
    ]
    intake.handle(records, lambda: 900_000)
    assert [arrival.field() for arrival in arrivals] == [
        {"via": "queue", "messageId": "m1"},
        {"via": "otherQueue", "messageId": "m2", "queue": other},
        {"via": "otherQueue", "messageId": "m3", "queue": ""},
    ]
    assert [arrival.joins_callers for arrival in arrivals] == [True, False, False]


def test_without_events_queue_arn_no_batch_counts_as_the_events_queue() -> None:
    arrivals: list[Arrival] = []
    intake = SqsIntake(lambda event, arrival: arrivals.append(arrival), None, RecordingObserver(), clock=lambda: "")
    intake.handle([{**_record("m1", task_event("QUEUED")), "eventSourceARN": EVENTS_QUEUE_ARN}], lambda: 900_000)
    assert arrivals[0].field() == {"via": "otherQueue", "messageId": "m1", "queue": EVENTS_QUEUE_ARN}
