"""Work through the SQS batch the event source mapping hands over, and say which messages to retry.

Each message body is one EventBridge event, as the rule's SQS target wrote it. Each is processed with
its ``Arrival``: from the events queue when the record's ``eventSourceARN`` is the configured queue's
(``EVENTS_QUEUE_ARN``), else from another queue; the record keeps it, with the SQS message id. Per message:

* processed: nothing to report, SQS deletes it with the batch;
* invalid (the body is not JSON, or the event fails validation): it will never succeed, so it is not
  retried: it goes to the dead-letter queue at once, with its error, and the batch reports success
  for it. Nothing else is called or written;
* refused (AWS refused one of its requests for itself: a key or item too large, a message SNS will
  not take; ``RequestRefusedError``): every retry would be refused the same, so it is set aside
  like an invalid event, with the service's error. What it wrote before the refusal stays (see
  docs/how-it-works.md, "Bad input"); a notification refused gives its claim back first, for a replay;
* failed for any other reason (a service error after retries, a notification held by another
  attempt): reported in ``batchItemFailures``, so SQS redelivers only that message after its
  visibility timeout, never its batch's successes;
* not started because the invocation's time is running out: reported too, so a slow batch never
  runs into the function timeout (which would redeliver the whole batch).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from task_monitor.domain.arrival import Arrival
from task_monitor.domain.outcomes import Rejection
from task_monitor.domain.results import ProcessingResult
from task_monitor.errors import DeadLetterQueueNotConfiguredError, InvalidEventError, RequestRefusedError

if TYPE_CHECKING:
    from task_monitor.domain.ports import DeadLetters, IntakeObserver

# A notified terminal event makes five AWS calls, normally well under a second in all; under
# sustained throttling each is retried (up to 4 attempts), about 40 s at worst. An event is only
# started with this much time left, so the one in flight almost never meets the timeout.
TIME_RESERVED_FOR_AN_EVENT_MS = 20_000


def parse_body(body: object) -> Any:
    """The EventBridge event in an SQS message body; InvalidEventError if the body is not JSON."""
    if not isinstance(body, str):
        raise InvalidEventError("body", f"expected the SQS message body as a string, got {type(body).__name__}")
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except InvalidEventError:
        raise
    except json.JSONDecodeError as error:
        raise InvalidEventError("body", f"the SQS message body is not JSON ({error.msg} at {error.pos})") from None
    except ValueError:  # valid JSON Python will not read: an integer past 4,300 digits
        raise InvalidEventError("body", "the SQS message body holds a number too long to read") from None
    except RecursionError:
        raise InvalidEventError("body", "the SQS message body is nested too deeply to read") from None


def _refuse_constant(name: str) -> Any:
    """Python's json reads NaN, Infinity and -Infinity; JSON (RFC 8259) and EventBridge have no such values."""
    raise InvalidEventError("body", f"the SQS message body is not JSON ({name} is not a JSON value)")


class SqsIntake:
    """One SQS batch: each message processed, rejected to the dead-letter queue, or retried."""

    def __init__(
        self,
        process: Callable[[Any, Arrival], ProcessingResult],
        dead_letters: DeadLetters | None,
        observer: IntakeObserver,
        clock: Callable[[], str],
        events_queue_arn: str | None = None,
    ) -> None:
        self._process = process
        self._events_queue_arn = events_queue_arn
        self._dead_letters = dead_letters
        self._observer = observer
        self._clock = clock

    def handle(self, records: Sequence[dict[str, Any]], time_left_ms: Callable[[], int]) -> dict[str, Any]:
        """The partial batch response: ``batchItemFailures`` lists the messages SQS must redeliver."""
        retry: list[str] = []
        for position, record in enumerate(records):
            if time_left_ms() < TIME_RESERVED_FOR_AN_EVENT_MS:
                deferred = [_message_id(later) for later in records[position:]]
                self._observer.deferred(deferred)
                retry += deferred
                break
            if not self._handle_one(record):
                retry.append(_message_id(record))
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in retry]}

    def _handle_one(self, record: dict[str, Any]) -> bool:
        """True when the message is done with (processed, or rejected to the dead-letter queue)."""
        message_id = _message_id(record)
        body = record.get("body")
        try:
            event = parse_body(body)
            self._observer.begin(message_id, event)
            result = self._process(event, self._arrival(message_id, record))
        except (InvalidEventError, RequestRefusedError) as error:
            return self._reject(message_id, body, error)
        except Exception as error:
            self._observer.failed(message_id, error)
            return False
        self._observer.processed(result)
        return True

    def _arrival(self, message_id: str, record: dict[str, Any]) -> Arrival:
        """How the message came: the events queue only if the batch names its ARN."""
        source = record.get("eventSourceARN")
        return Arrival.from_queue(message_id, source if isinstance(source, str) else None, self._events_queue_arn)

    def _reject(self, message_id: str, body: object, error: InvalidEventError | RequestRefusedError) -> bool:
        rejection = Rejection(message_id=message_id, error=error, rejected_at=self._clock())
        try:
            if self._dead_letters is None:
                raise DeadLetterQueueNotConfiguredError(
                    f"DEAD_LETTER_QUEUE_URL is not set, so the event ({error}) stays on the queue"
                )
            self._dead_letters.send(body if isinstance(body, str) else json.dumps(body), rejection)
        except Exception as send_error:
            self._observer.failed(message_id, send_error)
            return False
        self._observer.rejected(rejection)
        return True


def _message_id(record: dict[str, Any]) -> str:
    message_id = record.get("messageId") if isinstance(record, dict) else None
    if not isinstance(message_id, str) or not message_id:
        # Only the event source mapping calls with SQS batches, and it always sets messageId.
        raise ValueError("an SQS record without a messageId: not a batch from the SQS event source mapping")
    return message_id


def is_sqs_batch(event: object) -> bool:
    """The event source mapping's payload is exactly ``{"Records": [...]}``; an EventBridge event
    (direct invocation, tests, replay) never has that shape."""
    return isinstance(event, dict) and set(event) == {"Records"} and isinstance(event["Records"], list)
