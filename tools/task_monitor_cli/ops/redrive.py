"""Dead letters back to the events queue, with SQS's own message move task (``redrive``).

SQS moves the messages itself (``StartMessageMoveTask``, source the dead-letter queue, destination the
events queue), so the operator's process never holds a message: nothing is deleted by us, and a message
that fails again goes back to the dead-letter queue, at once if the function sets it aside as invalid,
or by the events queue's redrive policy after its last receive. ``survey`` says what is there before:
how many, and a peek at a few (received with a short visibility timeout, then made visible again at
once) summarised by the reasons the function attached (``adapters/dead_letters.py``) and the kinds of
event. ``progress`` follows the task until SQS says it ended. Failures are ``RedriveError``s, each one
line naming the fix. Plain functions over an SQS client; the CLI's ``redrive`` command wires them.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

# The peek's visibility timeout: long enough to read a batch, short enough that the function's
# poller is barely delayed if it could read the queue (it cannot: this is the dead-letter queue).
PEEK_VISIBILITY_SECONDS = 5
PEEK_DEFAULT = 10
MAX_RATE = 500  # StartMessageMoveTask's documented maximum messages per second
ENDED = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
# What a letter without the function's attributes is: the events queue's redrive policy moved it
# after its last receive (the function failed on it every time, and logged why).
REDRIVEN_BY_POLICY = "retries exhausted (moved by the queue's redrive policy; see the function's logs)"
NOT_JSON = "not JSON"
# How SQS (JSON protocol, query-compatible codes) answers: an IAM denial as AccessDenied (the body's
# AccessDeniedException); a missing queue as the legacy NonExistentQueue (QueueDoesNotExist in the
# body), or ResourceNotFoundException from the three move-task operations, whose model also lists
# InvalidAddress ("the specified ID is invalid"). InvalidSecurity (not HTTPS, not SigV4) is no denial
# an IAM grant would fix: it falls through to the plain error. The refusals of a source that is no
# dead-letter queue or of a second task have no modelled code (InvalidParameterValue, by SQS
# emulators validated against AWS): they are told apart by their message.
_ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException"})
_QUEUE_MISSING = frozenset(
    {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "ResourceNotFoundException", "InvalidAddress"}
)


class RedriveError(Exception):
    """A redrive that cannot go on; ``str()`` is one line naming the problem and the fix."""


class QueueMissingError(RedriveError):
    pass


class MoveTaskRunningError(RedriveError):
    pass


class AccessDeniedError(RedriveError):
    pass


class NotADeadLetterQueueError(RedriveError):
    pass


@dataclass(frozen=True)
class DeadLetterSample:
    """One peeked dead letter: what the function said of it, if anything, and what kind of event it holds."""

    message_id: str
    reason: str  # errorType (and field, or service/operation/code), or REDRIVEN_BY_POLICY
    kind: str  # the event's detail-type, "not JSON", or "no detail-type"
    error_message: str | None
    receive_count: int


@dataclass(frozen=True)
class DeadLetterSurvey:
    """What the dead-letter queue holds: counts from its attributes, and a peek at a few messages."""

    queue_url: str
    queue_arn: str
    approximate_count: int  # visible (ApproximateNumberOfMessages)
    in_flight: int  # being read by someone (ApproximateNumberOfMessagesNotVisible)
    sample: tuple[DeadLetterSample, ...] = ()
    reasons: Mapping[str, int] = field(default_factory=dict)  # over the sample
    kinds: Mapping[str, int] = field(default_factory=dict)  # over the sample


@dataclass(frozen=True)
class MoveTask:
    """A started message move task."""

    handle: str
    source_arn: str
    destination_arn: str
    rate: int | None


@dataclass(frozen=True)
class Progress:
    """One look at the move task (ListMessageMoveTasks' most recent entry)."""

    status: str
    moved: int
    total: int | None  # ApproximateNumberOfMessagesToMove, once SQS has it
    failure_reason: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in ENDED

    @property
    def succeeded(self) -> bool:
        return self.status == "COMPLETED"


def survey(sqs: Any, dlq_url: str, *, peek: int = PEEK_DEFAULT) -> DeadLetterSurvey:
    """The dead-letter queue's counts and, with ``peek`` > 0, a summary of up to ``peek`` messages,
    each made visible again at once (nothing deleted, nothing moved)."""
    attributes = _call(
        lambda: sqs.get_queue_attributes(
            QueueUrl=dlq_url,
            AttributeNames=["QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"],
        queue=dlq_url,
    )
    sample = _peek(sqs, dlq_url, peek) if peek > 0 else ()
    return DeadLetterSurvey(
        queue_url=dlq_url,
        queue_arn=attributes["QueueArn"],
        approximate_count=int(attributes.get("ApproximateNumberOfMessages", 0)),
        in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        sample=sample,
        reasons=dict(Counter(letter.reason for letter in sample)),
        kinds=dict(Counter(letter.kind for letter in sample)),
    )


def start(sqs: Any, source_arn: str, destination_arn: str, rate: int | None = None) -> MoveTask:
    """Start SQS's move of every message on ``source_arn`` (the dead-letter queue) to ``destination_arn``
    (the events queue), at ``rate`` messages per second (1..500; None lets SQS choose)."""
    if rate is not None and not 1 <= rate <= MAX_RATE:
        raise RedriveError(f"the rate must be 1 to {MAX_RATE} messages per second, got {rate}: give another --rate")
    running = _latest(sqs, source_arn)
    if running is not None and running.get("Status") in ("RUNNING", "CANCELLING"):
        raise MoveTaskRunningError(_already_running(source_arn, running.get("TaskHandle")))
    request: dict[str, Any] = {"SourceArn": source_arn, "DestinationArn": destination_arn}
    if rate is not None:
        request["MaxNumberOfMessagesPerSecond"] = rate
    answer = _call(lambda: sqs.start_message_move_task(**request), queue=source_arn, starting=True)
    return MoveTask(handle=answer["TaskHandle"], source_arn=source_arn, destination_arn=destination_arn, rate=rate)


def progress(
    sqs: Any,
    source_arn: str,
    *,
    poll_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    max_polls: int | None = None,
) -> Iterator[Progress]:
    """The move task's progress, one ``Progress`` per poll, ending with the one whose status is COMPLETED,
    FAILED (with SQS's reason) or CANCELLED. ``max_polls`` bounds the wait (None: until it ends)."""
    polls = 0
    while True:
        entry = _latest(sqs, source_arn)
        if entry is None:
            raise RedriveError(f"no message move task on {source_arn}: start one (task-monitor redrive)")
        current = Progress(
            status=str(entry.get("Status", "")),
            moved=int(entry.get("ApproximateNumberOfMessagesMoved", 0)),
            total=entry.get("ApproximateNumberOfMessagesToMove"),
            failure_reason=entry.get("FailureReason"),
        )
        yield current
        polls += 1
        if current.finished or (max_polls is not None and polls >= max_polls):
            return
        sleep(poll_seconds)


def cancel(sqs: Any, handle: str) -> int:
    """Stop a RUNNING move task; what it moved stays moved. Returns the messages moved so far."""
    answer = _call(lambda: sqs.cancel_message_move_task(TaskHandle=handle), queue="the move task")
    return int(answer.get("ApproximateNumberOfMessagesMoved", 0))


# ------------------------------------------------------------------------------------------- internals
def _latest(sqs: Any, source_arn: str) -> dict[str, Any] | None:
    results = _call(lambda: sqs.list_message_move_tasks(SourceArn=source_arn, MaxResults=1), queue=source_arn)
    entries = results.get("Results", [])
    return dict(entries[0]) if entries else None


def _peek(sqs: Any, dlq_url: str, peek: int) -> tuple[DeadLetterSample, ...]:
    """Receive up to ``peek`` messages with a short visibility timeout (so each batch brings others),
    then hand every one back at once, even if reading failed: a peek consumes nothing."""
    seen: dict[str, DeadLetterSample] = {}
    receipts: list[str] = []
    try:
        while len(seen) < peek:
            messages = _call(
                functools.partial(
                    sqs.receive_message,
                    QueueUrl=dlq_url,
                    MaxNumberOfMessages=min(10, peek - len(seen)),
                    VisibilityTimeout=PEEK_VISIBILITY_SECONDS,
                    AttributeNames=["ApproximateReceiveCount"],
                    MessageAttributeNames=["All"],
                ),
                queue=dlq_url,
            ).get("Messages", [])
            receipts += [message["ReceiptHandle"] for message in messages]
            fresh = [message for message in messages if message["MessageId"] not in seen]
            if not fresh:
                break
            for message in fresh:
                seen[message["MessageId"]] = _sample(message)
    finally:
        for receipt in receipts:
            _call(
                functools.partial(
                    sqs.change_message_visibility, QueueUrl=dlq_url, ReceiptHandle=receipt, VisibilityTimeout=0
                ),
                queue=dlq_url,
            )
    return tuple(seen.values())[:peek]


def _sample(message: Mapping[str, Any]) -> DeadLetterSample:
    attributes = {name: value.get("StringValue", "") for name, value in message.get("MessageAttributes", {}).items()}
    return DeadLetterSample(
        message_id=message["MessageId"],
        reason=_reason(attributes),
        kind=_kind(message.get("Body", "")),
        error_message=attributes.get("errorMessage"),
        receive_count=int(message.get("Attributes", {}).get("ApproximateReceiveCount", "0")),
    )


def _reason(attributes: Mapping[str, str]) -> str:
    """The function's attributes as one phrase: errorType and the field, or the refusing service's call."""
    error_type = attributes.get("errorType")
    if not error_type:
        return REDRIVEN_BY_POLICY
    if "field" in attributes:
        return f"{error_type} ({attributes['field']})"
    if "awsErrorCode" in attributes:
        service, operation = attributes.get("service", "?"), attributes.get("operation", "?")
        return f"{error_type} ({service} {operation}: {attributes['awsErrorCode']})"
    return error_type


def _kind(body: str) -> str:
    try:
        event = json.loads(body)
    except ValueError:
        return NOT_JSON
    detail_type = event.get("detail-type") if isinstance(event, dict) else None
    return detail_type if isinstance(detail_type, str) else "no detail-type"


def _already_running(source_arn: str, handle: str | None) -> str:
    fix = f"wait for it, or cancel it (CancelMessageMoveTask, handle {handle})" if handle else "wait for it to end"
    return f"a message move task is already running on {source_arn}: {fix}, then redrive again"


def _call(call: Callable[[], Any], *, queue: str, starting: bool = False) -> Any:
    """One SQS call; its refusal as a RedriveError naming the fix."""
    try:
        return call()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        operation = error.operation_name
        if code in _ACCESS_DENIED:
            raise AccessDeniedError(
                f"{operation} on {queue} was denied: add your role to the stack's redrivePrincipals "
                "(cdk.json) or grant it sqs:StartMessageMoveTask, sqs:ListMessageMoveTasks, "
                "sqs:CancelMessageMoveTask and sqs:ReceiveMessage/DeleteMessage/GetQueueAttributes on the "
                "dead-letter queue, sqs:SendMessage on the events queue"
            ) from None
        if code in _QUEUE_MISSING:
            raise QueueMissingError(
                f"{operation}: queue {queue} does not exist ({code}): check --stack/--region, or pass the queue"
            ) from None
        if starting and "already" in message.lower():
            raise MoveTaskRunningError(_already_running(queue, None)) from None
        if starting and "dead letter" in message.lower().replace("-", " "):
            raise NotADeadLetterQueueError(
                f"{queue} is not a dead-letter queue of any queue ({message}): redrive the stack's DeadLetters queue"
            ) from None
        raise RedriveError(
            f"{operation} failed: {code}: {message or 'no message'}: retry, or check the queue"
        ) from None
