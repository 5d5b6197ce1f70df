"""SQS's message move tasks (dead-letter redrive), answered in this process at botocore's HTTP layer.

moto 5.2.5 answers ``StartMessageMoveTask``, ``ListMessageMoveTasks`` and ``CancelMessageMoveTask``
with ``NotImplementedError``. This emulator answers those three operations only (SQS's JSON protocol,
``X-Amz-Target: AmazonSQS.<Operation>``), so botocore's own serialization, parsing and error modelling
run, and moves messages between moto's queues with an ordinary SQS client: receive from the source,
send to the destination with the same body and message attributes, delete from the source. A moved
message is a new message (new id, receive count 0), as AWS documents for a redrive.

The rules it keeps, as the SQS API reference and developer guide state them (docs/redrive-and-backfill.md):
the source must be a dead-letter queue of another queue (some queue's ``RedrivePolicy`` names it); only
one active task per source queue; ``MaxNumberOfMessagesPerSecond`` at most 500;
``ApproximateNumberOfMessagesToMove`` is the source's count when the task starts, and only that many
are moved; ``TaskHandle`` is listed only for a RUNNING task, ``FailureReason`` only for a FAILED one;
a task is cancelled only while RUNNING, and what it moved stays moved; ``ListMessageMoveTasks`` gives
the most recent tasks first, 1 by default, at most 10.

Time is emulated by polls: a RUNNING task moves the next ``step`` messages (its rate, when given, else
``messages_per_poll``) each time ``ListMessageMoveTasks`` is called for its source, or on ``advance()``.
A destination that no longer exists fails the task (``FailureReason``
``AWS.SimpleQueueService.NonExistentQueue``); the messages it held are made visible again on the source.
Not deployed: tools only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ClientError

from task_monitor_devkit.http_answers import ANSWERED, installed, json_response, moto_skips_answered

__all__ = ["MoveTask", "SqsMoveEmulator"]

_TARGET_PREFIX = "AmazonSQS."
_OPERATIONS = ("StartMessageMoveTask", "ListMessageMoveTasks", "CancelMessageMoveTask")
_JSON_10 = "application/x-amz-json-1.0"
_ERROR_PREFIX = "com.amazonaws.sqs#"
MAX_RATE = 500  # MaxNumberOfMessagesPerSecond's documented maximum
MAX_LISTED = 10  # ListMessageMoveTasks' MaxResults upper limit (default 1)
NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"
# StartMessageMoveTask's refusal of a source that is no dead-letter queue, or of a second active task:
# AWS's model lists no code for either; SQS emulators validated against AWS answer InvalidParameterValue
# (with these messages), so this one does too. The redrive reads the message, not the code.
NOT_ALLOWED = "InvalidParameterValue"
RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED = "RUNNING", "COMPLETED", "CANCELLING", "CANCELLED", "FAILED"


@dataclass
class MoveTask:
    """One message move task, as the emulator keeps it."""

    handle: str
    source_arn: str
    destination_arn: str | None  # as given; None: each message back to the queue that dead-lettered it
    rate: int | None
    to_move: int
    started_ms: int
    status: str = RUNNING
    moved: int = 0
    failure_reason: str | None = None

    def entry(self) -> dict[str, Any]:
        """Its ``ListMessageMoveTasksResultEntry``, with only the fields AWS documents for its state."""
        entry: dict[str, Any] = {
            "Status": self.status,
            "SourceArn": self.source_arn,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started_ms,
        }
        if self.status == RUNNING:
            entry["TaskHandle"] = self.handle
        if self.destination_arn is not None:
            entry["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            entry["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.status == FAILED and self.failure_reason:
            entry["FailureReason"] = self.failure_reason
        return entry


@dataclass
class _Fault:
    operation: str | None
    code: str
    status: int
    message: str
    remaining: int


class _RefusedError(Exception):
    """An SQS error answer: its code, HTTP status and message."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


@dataclass
class SqsMoveEmulator:
    """The three message move task operations over moto's queues (see the module docstring)."""

    messages_per_poll: int = 10
    clock: Callable[[], float] = time.time
    tasks: list[MoveTask] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # each answered operation, errors included
    _faults: list[_Fault] = field(default_factory=list)
    _clients: dict[str, Any] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # ------------------------------------------------------------------------------ test controls
    def fail_next(
        self,
        code: str,
        *,
        operation: str | None = None,
        times: int = 1,
        status: int = 400,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls (of ``operation``, or any of the three) with error ``code``:
        ``AccessDenied`` (403) for a missing permission, ``RequestThrottled``, ``InternalError`` (500)."""
        if operation is not None and operation not in _OPERATIONS:
            raise ValueError(f"{operation!r} is not emulated; choose from {_OPERATIONS}")
        self._faults.append(_Fault(operation, code, status, message or f"{code} injected by SqsMoveEmulator", times))

    def advance(self) -> None:
        """Let every RUNNING task move its next step (as time passing would)."""
        with self._lock:
            for task in self.tasks:
                self._step(task)

    @contextlib.contextmanager
    def running(self, *clients: Any) -> Iterator[SqsMoveEmulator]:
        """Answer the three operations for every botocore client created while active, and for the SQS
        ``clients`` made before (moto's own handler passes over the requests answered here)."""
        unique_id = f"sqs-move-emulator-{id(self)}"
        for client in clients:
            client.meta.events.register_first("before-send.sqs", self._answer_attached, unique_id=unique_id)
        try:
            with installed(self.answer), moto_skips_answered():
                yield self
        finally:
            for client in clients:
                client.meta.events.unregister("before-send.sqs", unique_id=unique_id)

    def _answer_attached(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        if request in ANSWERED:
            return None
        response = self.answer(request, **kwargs)
        if response is not None:
            ANSWERED.add(request)
        return response

    # ------------------------------------------------------------------------------------ requests
    def answer(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        target = request.headers.get("X-Amz-Target", b"")
        target_text = target.decode() if isinstance(target, bytes) else str(target)
        operation = target_text.removeprefix(_TARGET_PREFIX)
        if not target_text.startswith(_TARGET_PREFIX) or operation not in _OPERATIONS:
            return None
        body = json.loads(request.body or b"{}")
        with self._lock:
            self.calls.append(operation)
            try:
                self._take_fault(operation)
                handler = {
                    "StartMessageMoveTask": self._start,
                    "ListMessageMoveTasks": self._list,
                    "CancelMessageMoveTask": self._cancel,
                }[operation]
                return json_response(request.url, handler(body), content_type=_JSON_10)
            except _RefusedError as refused:
                payload = {"__type": _ERROR_PREFIX + refused.code, "message": refused.message}
                return json_response(request.url, payload, status=refused.status, content_type=_JSON_10)

    def _take_fault(self, operation: str) -> None:
        for fault in self._faults:
            if fault.operation in (None, operation):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                raise _RefusedError(fault.code, fault.message, fault.status)

    def _start(self, body: dict[str, Any]) -> dict[str, Any]:
        source = _required(body, "SourceArn")
        destination = body.get("DestinationArn")
        rate = body.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and not (isinstance(rate, int) and 1 <= rate <= MAX_RATE):
            raise _RefusedError("InvalidParameterValue", f"MaxNumberOfMessagesPerSecond must be 1 to {MAX_RATE}")
        source_url = self._queue_url(source)
        if not self._sources_of(source):
            raise _RefusedError(
                NOT_ALLOWED,
                "Source queue must be configured as a Dead Letter Queue (no queue's RedrivePolicy names it).",
            )
        if destination is not None:
            self._queue_url(destination)
        if any(task.source_arn == source and task.status in (RUNNING, CANCELLING) for task in self.tasks):
            raise _RefusedError(
                NOT_ALLOWED,
                "There is already a task running. Only one active task is allowed for a source queue at a time.",
            )
        to_move = self._visible(source, source_url)
        handle = base64.b64encode(json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": source}).encode()).decode()
        self.tasks.append(
            MoveTask(handle, source, destination, rate, to_move=to_move, started_ms=int(self.clock() * 1000))
        )
        return {"TaskHandle": handle}

    def _list(self, body: dict[str, Any]) -> dict[str, Any]:
        source = _required(body, "SourceArn")
        self._queue_url(source)
        limit = body.get("MaxResults", 1)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LISTED:
            raise _RefusedError("InvalidParameterValue", f"MaxResults must be 1 to {MAX_LISTED}")
        own = [task for task in self.tasks if task.source_arn == source]
        for task in own:
            self._step(task)
        return {"Results": [task.entry() for task in reversed(own)][:limit]}

    def _cancel(self, body: dict[str, Any]) -> dict[str, Any]:
        handle = _required(body, "TaskHandle")
        task = next((task for task in self.tasks if task.handle == handle), None)
        if task is None:
            raise _RefusedError("ResourceNotFoundException", "The task handle does not name a message move task.")
        if task.status != RUNNING:
            raise _RefusedError(
                "UnsupportedOperation", f"Only a RUNNING task can be cancelled; this one is {task.status}."
            )
        task.status = CANCELLING
        return {"ApproximateNumberOfMessagesMoved": task.moved}

    # ----------------------------------------------------------------------------------- moving
    def _step(self, task: MoveTask) -> None:
        """Move the task's next step of messages, or finish it."""
        if task.status == CANCELLING:
            task.status = CANCELLED
            return
        if task.status != RUNNING:
            return
        try:
            source_url = self._queue_url(task.source_arn)
            destinations = [task.destination_arn] if task.destination_arn else self._sources_of(task.source_arn)
            if len(destinations) != 1:
                task.status, task.failure_reason = FAILED, "the dead-letter queue is the target of several queues"
                return
            destination_url = self._queue_url(destinations[0])
        except _RefusedError:
            task.status, task.failure_reason = FAILED, NON_EXISTENT_QUEUE
            return
        budget = min(task.rate or self.messages_per_poll, task.to_move - task.moved)
        sqs = self._sqs(task.source_arn)
        while budget > 0:
            messages = sqs.receive_message(
                QueueUrl=source_url,
                MaxNumberOfMessages=min(budget, 10),
                VisibilityTimeout=30,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                break
            for position, message in enumerate(messages):
                try:
                    sqs.send_message(
                        QueueUrl=destination_url,
                        MessageBody=message["Body"],
                        **_attributes_kept(message),
                    )
                except ClientError:
                    for unsent in messages[position:]:  # made visible again: nothing is lost
                        sqs.change_message_visibility(
                            QueueUrl=source_url, ReceiptHandle=unsent["ReceiptHandle"], VisibilityTimeout=0
                        )
                    task.status, task.failure_reason = FAILED, NON_EXISTENT_QUEUE
                    return
                sqs.delete_message(QueueUrl=source_url, ReceiptHandle=message["ReceiptHandle"])
                task.moved += 1
                budget -= 1
        if task.moved >= task.to_move or not self._visible(task.source_arn, source_url):
            task.status = COMPLETED

    # ------------------------------------------------------------------------------------ queues
    def _sqs(self, arn: str) -> Any:
        region = _arn_parts(arn)[0]
        if region not in self._clients:
            self._clients[region] = botocore.session.get_session().create_client("sqs", region_name=region)
        return self._clients[region]

    def _queue_url(self, arn: str) -> str:
        _region, account, name = _arn_parts(arn)
        try:
            return str(self._sqs(arn).get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])
        except ClientError:
            raise _RefusedError("ResourceNotFoundException", f"The queue {arn} does not exist.") from None

    def _visible(self, arn: str, url: str) -> int:
        """Messages visible on the queue (ApproximateNumberOfMessages)."""
        attributes = self._sqs(arn).get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

    def _sources_of(self, dead_letter_arn: str) -> list[str]:
        """The queues whose redrive policy names this queue as their dead-letter queue."""
        sqs = self._sqs(dead_letter_arn)
        sources = []
        for url in sqs.list_queues().get("QueueUrls", []):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"])
            policy = attributes["Attributes"].get("RedrivePolicy")
            if policy and json.loads(policy).get("deadLetterTargetArn") == dead_letter_arn:
                sources.append(attributes["Attributes"]["QueueArn"])
        return sources


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise _RefusedError("MissingParameter", f"The request must contain the parameter {name}.")
    return value


def _arn_parts(arn: str) -> tuple[str, str, str]:
    """An SQS queue ARN's region, account and queue name."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        raise _RefusedError("InvalidAddress", f"{arn!r} is not an SQS queue ARN.")
    return parts[3], parts[4], parts[5]


def _attributes_kept(message: dict[str, Any]) -> dict[str, Any]:
    """The message attributes, as SendMessage takes them (the value and its type only)."""
    attributes = {}
    for name, value in message.get("MessageAttributes", {}).items():
        kept = {"DataType": value["DataType"]}
        for member in ("StringValue", "BinaryValue"):
            if member in value:
                kept[member] = value[member]
        attributes[name] = kept
    return {"MessageAttributes": attributes} if attributes else {}
