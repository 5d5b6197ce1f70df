"""An AWS in this process: moto's DynamoDB, SNS and SQS, plus the Braket emulator.

It runs the real handler module: the handler is imported after the fakes are in place, so the
clients it creates at cold start talk to them exactly as they would to AWS. Events reach it as in
the deployed stack (``deliver`` then ``drain``: the rule's SQS queue, polled in batches the way
Lambda's event source mapping does, with partial batch responses, receive counts and a redrive
policy to the dead-letter queue; or ``send``: one event through the queue, answered with its summary),
directly (``invoke``: the function invoked with one EventBridge event, marked ``direct``), or as an
operator's replay (``replay``: the CLI's path, naming the demo operator).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import botocore.handlers
import botocore.session
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from task_monitor import audit_schema
from task_monitor.audit import AuditLog
from task_monitor_devkit.braket_emulator import BraketEmulator
from task_monitor_devkit.lambda_context import ACCOUNT_ID, FakeLambdaContext

TABLE_NAME = "braket-task-audit"
TOPIC_NAME = "braket-task-notifications"
EVENTS_QUEUE = "braket-task-monitor-events"
DEAD_LETTER_QUEUE = "braket-task-monitor-dead-letters"
# The deployed queue redrives after 60 receives (about 6 hours at its visibility timeout); the
# embedded one after fewer, so a test that exhausts them stays quick. ``max_receives`` sets it.
EMBEDDED_MAX_RECEIVES = 5
BATCH_SIZE = 10
MAX_POLLS = 10_000  # a queue that has not drained by then is stuck: fail loudly instead of looping
FAILED_ONLY_FILTER = {"status": ["FAILED"]}
# Who replays in the embedded AWS (against real AWS, sts:GetCallerIdentity says).
DEMO_OPERATOR = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/TaskMonitorOperator/demo"

_FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_ACCOUNT_ID": ACCOUNT_ID,
}


@dataclass(frozen=True)
class Invocation:
    """One handler call: its answer, or the error Lambda would send to the on-failure queue."""

    event: Any
    response: dict[str, Any] | None
    error: BaseException | None

    @property
    def succeeded(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class BatchInvocation:
    """One poll of the events queue handed to the handler, as the event source mapping would."""

    message_ids: list[str]
    response: dict[str, Any] | None
    error: BaseException | None

    @property
    def retried(self) -> list[str]:
        """Messages SQS will deliver again: those the response names, or all if the invocation failed."""
        if self.error is not None or self.response is None:
            return list(self.message_ids)
        return [failure["itemIdentifier"] for failure in self.response.get("batchItemFailures", [])]


@dataclass(frozen=True)
class DeadLetter:
    """A message on the dead-letter queue: the event as it came, and the error the function attached."""

    body: str
    attributes: dict[str, str] = field(default_factory=dict)
    receive_count: int = 0


@dataclass(frozen=True)
class PublishedMessage:
    """A Publish the function attempted; ``email_text`` is what an email subscriber reads."""

    subject: str
    email_text: str
    json_body: dict[str, Any]
    attributes: dict[str, Any]


# moto handles requests from several threads at once, but not atomically: a TransactWriteItems that
# fails restores a copy of the whole table taken before it, erasing what another thread wrote meanwhile.
# Real AWS applies each request atomically, so the embedded AWS takes one request at a time.
_ONE_REQUEST_AT_A_TIME = threading.RLock()
_PROCESS_REQUEST = BotocoreStubber.process_request


def _one_at_a_time(stubber: BotocoreStubber, request: Any) -> Any:
    with _ONE_REQUEST_AT_A_TIME:
        return _PROCESS_REQUEST(stubber, request)


class EmbeddedAws:
    """Start with ``with EmbeddedAws() as aws:``; ``aws.invoke(event)`` runs the real handler."""

    def __init__(
        self,
        region: str = "us-east-1",
        notify_statuses: str | None = None,
        max_receives: int = EMBEDDED_MAX_RECEIVES,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.region = region
        self._extra_settings = dict(settings or {})  # more of the function's environment (BUDGETS, ...)
        self.max_receives = max_receives
        self.braket = BraketEmulator()
        self.published: list[PublishedMessage] = []
        self._notify_statuses = notify_statuses
        self._mock = mock_aws()
        self._saved_environment: dict[str, str | None] = {}
        self._braket_installation: Any = None
        self._publish_hook = ("provide-client-params.sns.Publish", self._capture_publish)
        self.handler: ModuleType | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> EmbeddedAws:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self._set_environment({**_FAKE_ENVIRONMENT, "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region})
        self._mock.start()
        BotocoreStubber.process_request = _one_at_a_time  # type: ignore[method-assign,assignment]
        self._braket_installation = self.braket.install()
        self._braket_installation.__enter__()
        botocore.handlers.BUILTIN_HANDLERS.append(self._publish_hook)
        session = botocore.session.get_session()
        self.dynamodb = session.create_client("dynamodb", region_name=self.region)
        self.sns = session.create_client("sns", region_name=self.region)
        self.sqs = session.create_client("sqs", region_name=self.region)
        self.dynamodb.create_table(**audit_schema.create_table_request(TABLE_NAME))
        self.dynamodb.update_time_to_live(**audit_schema.time_to_live_request(TABLE_NAME))
        self.topic_arn = self.sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
        self.all_notifications_url = self.subscribe_queue("all-notifications")
        self.failed_only_url = self.subscribe_queue("failed-notifications-only", FAILED_ONLY_FILTER)
        self.dead_letters_url = self.sqs.create_queue(QueueName=DEAD_LETTER_QUEUE)["QueueUrl"]
        redrive = {"deadLetterTargetArn": self._queue_arn(self.dead_letters_url), "maxReceiveCount": self.max_receives}
        self.events_url = self.sqs.create_queue(
            QueueName=EVENTS_QUEUE, Attributes={"RedrivePolicy": json.dumps(redrive)}
        )["QueueUrl"]
        self.events_arn = self._queue_arn(self.events_url)
        settings = {
            "AUDIT_TABLE_NAME": TABLE_NAME,
            "NOTIFICATION_TOPIC_ARN": self.topic_arn,
            "DEAD_LETTER_QUEUE_URL": self.dead_letters_url,
            "EVENTS_QUEUE_ARN": self.events_arn,
        }
        if self._notify_statuses is not None:
            settings["NOTIFY_STATUSES"] = self._notify_statuses
        self._set_environment({**settings, **self._extra_settings})

    def stop(self) -> None:
        if self._publish_hook in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.remove(self._publish_hook)
        if self._braket_installation is not None:
            self._braket_installation.__exit__(None, None, None)
            self._braket_installation = None
        self._mock.stop()
        BotocoreStubber.process_request = _PROCESS_REQUEST  # type: ignore[method-assign]
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment.clear()

    # -- running the function --------------------------------------------------------------
    def load_handler(self) -> ModuleType:
        """Import the handler (a cold start) so its clients are created against this AWS."""
        if "task_monitor.handler" in sys.modules:
            self.handler = importlib.reload(sys.modules["task_monitor.handler"])
        else:
            self.handler = importlib.import_module("task_monitor.handler")
        return self.handler

    def invoke(self, event: Any) -> Invocation:
        """Invoke the function directly with one EventBridge event (``lambda:InvokeFunction``): its
        records say it arrived ``direct``."""
        handler = self.handler or self.load_handler()
        try:
            return Invocation(event, handler.lambda_handler(event, FakeLambdaContext()), None)
        except Exception as error:
            return Invocation(event, None, error)

    def replay(self, event: Any, dead_letter_message_id: str | None = None) -> Invocation:
        """The CLI's replay by the demo operator (of a dead letter, when its message id is given)."""
        from task_monitor.domain.arrival import Arrival

        handler = self.handler or self.load_handler()
        try:
            response = handler.run_one(event, Arrival.replay(DEMO_OPERATOR, dead_letter_message_id))
            return Invocation(event, response, None)
        except Exception as error:
            return Invocation(event, None, error)

    def send(self, event: Any) -> Invocation:
        """One event through the events queue, as the rule delivers it, answered with its summary: sent,
        received, processed with the arrival the function's intake gives a message of that batch (the
        record's queue ARN against EVENTS_QUEUE_ARN), then deleted. The demo's way to show each delivery."""
        from task_monitor.domain.arrival import Arrival

        handler = self.handler or self.load_handler()
        (message_id,) = self.deliver(event)
        messages = self.sqs.receive_message(QueueUrl=self.events_url, MaxNumberOfMessages=10).get("Messages", [])
        (message,) = [message for message in messages if message["MessageId"] == message_id]
        record = self._lambda_record(message)
        arrival = Arrival.from_queue(message_id, record["eventSourceARN"], handler.settings.events_queue_arn)
        try:
            invocation = Invocation(event, handler.run_one(json.loads(record["body"]), arrival), None)
        except Exception as error:
            invocation = Invocation(event, None, error)
        self.sqs.delete_message(QueueUrl=self.events_url, ReceiptHandle=message["ReceiptHandle"])
        return invocation

    def deliver(self, *events: Any) -> list[str]:
        """Put events on the events queue as the rule's SQS target does (body: the event as JSON; a
        ``str`` is sent as it is, to deliver a body that is not JSON). Returns the message ids."""
        bodies = [event if isinstance(event, str) else json.dumps(event) for event in events]
        message_ids: list[str] = []
        for first in range(0, len(bodies), BATCH_SIZE):  # SendMessageBatch: 10 messages per request
            entries = [
                {"Id": str(position), "MessageBody": body}
                for position, body in enumerate(bodies[first : first + BATCH_SIZE])
            ]
            sent = self.sqs.send_message_batch(QueueUrl=self.events_url, Entries=entries)
            if sent.get("Failed"):
                raise RuntimeError(f"SendMessageBatch failed: {sent['Failed']}")
            by_id = {entry["Id"]: entry["MessageId"] for entry in sent["Successful"]}
            message_ids += [by_id[entry["Id"]] for entry in entries]
        return message_ids

    def drain(
        self, batch_size: int = BATCH_SIZE, time_left_ms: Callable[[], int] | None = None
    ) -> list[BatchInvocation]:
        """Poll the events queue until it is empty (see ``poll``); every batch handed over, in order."""
        invocations: list[BatchInvocation] = []
        for _ in range(MAX_POLLS):
            invocation = self.poll(batch_size, time_left_ms)
            if invocation is None:
                return invocations
            invocations.append(invocation)
        raise RuntimeError(f"the events queue did not drain in {MAX_POLLS} polls")

    def poll(
        self, batch_size: int = BATCH_SIZE, time_left_ms: Callable[[], int] | None = None
    ) -> BatchInvocation | None:
        """One poll, as the event source mapping makes it: the batch goes to the handler; messages its
        response names (or all, if the invocation fails) stay on the queue and come back once their
        visibility timeout has passed (here: at once); the rest are deleted. A message received
        ``max_receives`` times is moved to the dead-letter queue by the queue's redrive policy."""
        handler = self.handler or self.load_handler()
        messages = self.sqs.receive_message(
            QueueUrl=self.events_url,
            MaxNumberOfMessages=batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return None
        batch = {"Records": [self._lambda_record(message) for message in messages]}
        context = FakeLambdaContext(remaining_ms=time_left_ms) if time_left_ms else FakeLambdaContext()
        message_ids = [message["MessageId"] for message in messages]
        try:
            invocation = BatchInvocation(message_ids, handler.lambda_handler(batch, context), None)
        except Exception as error:
            invocation = BatchInvocation(message_ids, None, error)
        retried = set(invocation.retried)
        done: list[dict[str, str]] = []
        for message in messages:
            if message["MessageId"] in retried:  # the visibility timeout passes
                self.sqs.change_message_visibility(
                    QueueUrl=self.events_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                done.append({"Id": str(len(done)), "ReceiptHandle": message["ReceiptHandle"]})
        if done:  # as the event source mapping deletes a batch's successes: DeleteMessageBatch
            self.sqs.delete_message_batch(QueueUrl=self.events_url, Entries=done)
        return invocation

    # -- what came out ---------------------------------------------------------------------
    def audit_log(self) -> AuditLog:
        return AuditLog(TABLE_NAME, client=self.dynamodb)

    def subscriber_messages(self, queue_url: str | None = None) -> list[dict[str, Any]]:
        """Drain an SQS subscriber: each SNS envelope with its Message parsed as the JSON record."""
        envelopes = []
        for body in self._drain(queue_url or self.all_notifications_url):
            envelope = json.loads(body)
            envelope["Record"] = json.loads(envelope["Message"])
            envelopes.append(envelope)
        return envelopes

    def dead_letters(self) -> list[DeadLetter]:
        """Drain the dead-letter queue: each message's body and the attributes the function set."""
        letters = []
        for message in self._drain_messages(self.dead_letters_url):
            attributes = {name: value["StringValue"] for name, value in message.get("MessageAttributes", {}).items()}
            count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "0"))
            letters.append(DeadLetter(body=message["Body"], attributes=attributes, receive_count=count))
        return letters

    def queued_events(self) -> int:
        """Messages waiting on the events queue (visible or in flight)."""
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.events_url, AttributeNames=["All"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def subscribe_queue(self, name: str, filter_policy: dict[str, Any] | None = None) -> str:
        """One more SQS subscriber of the topic (with a filter policy on message attributes); its queue URL."""
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {"FilterPolicy": json.dumps(filter_policy)} if filter_policy else {}
        self.sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)
        return url

    # -- internals -------------------------------------------------------------------------
    def _drain(self, queue_url: str) -> list[str]:
        return [message["Body"] for message in self._drain_messages(queue_url)]

    def _drain_messages(self, queue_url: str) -> list[dict[str, Any]]:
        drained: list[dict[str, Any]] = []
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                return drained
            drained += messages
            self.sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": message["ReceiptHandle"]} for n, message in enumerate(messages)
                ],
            )

    def _queue_arn(self, url: str) -> str:
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def _lambda_record(self, message: dict[str, Any]) -> dict[str, Any]:
        """An SQS message as the event source mapping hands it to the function."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": hashlib.md5(message["Body"].encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.events_arn,
            "awsRegion": self.region,
        }

    def _capture_publish(self, params: dict[str, Any], **_: Any) -> None:
        if params.get("MessageStructure") == "json":
            message = json.loads(params["Message"])
            self.published.append(
                PublishedMessage(
                    subject=params.get("Subject", ""),
                    email_text=message.get("email", message["default"]),
                    json_body=json.loads(message["default"]),
                    attributes=params.get("MessageAttributes", {}),
                )
            )

    def _set_environment(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_environment.setdefault(name, os.environ.get(name))
            os.environ[name] = value
