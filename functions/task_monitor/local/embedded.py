"""An AWS in this process: moto's DynamoDB, SNS and SQS, plus the Braket emulator.

It runs the real handler module: the handler is imported after the fakes are in place, so the
clients it creates at cold start talk to them exactly as they would to AWS.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import botocore.handlers
import botocore.session
from moto import mock_aws

from task_monitor import audit_schema
from task_monitor.audit import AuditLog
from task_monitor.local.braket_emulator import BraketEmulator
from task_monitor.local.lambda_context import ACCOUNT_ID, FakeLambdaContext

TABLE_NAME = "braket-task-audit"
TOPIC_NAME = "braket-task-notifications"
FAILED_QUEUE = "braket-task-monitor-failed-events"
FAILED_ONLY_FILTER = {"status": ["FAILED"]}

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
class PublishedMessage:
    """A Publish the function attempted; ``email_text`` is what an email subscriber reads."""

    subject: str
    email_text: str
    json_body: dict[str, Any]
    attributes: dict[str, Any]


class EmbeddedAws:
    """Start with ``with EmbeddedAws() as aws:``; ``aws.invoke(event)`` runs the real handler."""

    def __init__(self, region: str = "us-east-1", notify_statuses: str | None = None) -> None:
        self.region = region
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
        self._braket_installation = self.braket.install()
        self._braket_installation.__enter__()
        botocore.handlers.BUILTIN_HANDLERS.append(self._publish_hook)
        session = botocore.session.get_session()
        self.dynamodb = session.create_client("dynamodb", region_name=self.region)
        self.sns = session.create_client("sns", region_name=self.region)
        self.sqs = session.create_client("sqs", region_name=self.region)
        self.dynamodb.create_table(**audit_schema.create_table_request(TABLE_NAME))
        self.topic_arn = self.sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
        self.all_notifications_url = self._subscribe_queue("all-notifications")
        self.failed_only_url = self._subscribe_queue("failed-notifications-only", FAILED_ONLY_FILTER)
        self.failed_events_url = self.sqs.create_queue(QueueName=FAILED_QUEUE)["QueueUrl"]
        settings = {"AUDIT_TABLE_NAME": TABLE_NAME, "NOTIFICATION_TOPIC_ARN": self.topic_arn}
        if self._notify_statuses is not None:
            settings["NOTIFY_STATUSES"] = self._notify_statuses
        self._set_environment(settings)

    def stop(self) -> None:
        if self._publish_hook in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.remove(self._publish_hook)
        if self._braket_installation is not None:
            self._braket_installation.__exit__(None, None, None)
            self._braket_installation = None
        self._mock.stop()
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
        """Call the handler as Lambda's async invoke would; a failure goes to the failed-events queue."""
        handler = self.handler or self.load_handler()
        try:
            return Invocation(event, handler.lambda_handler(event, FakeLambdaContext()), None)
        except Exception as error:
            self._send_to_failed_events(event, error)
            return Invocation(event, None, error)

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

    def failed_events(self) -> list[dict[str, Any]]:
        """Drain the failed-events queue: Lambda on-failure destination records."""
        return [json.loads(body) for body in self._drain(self.failed_events_url)]

    # -- internals -------------------------------------------------------------------------
    def _subscribe_queue(self, name: str, filter_policy: dict[str, Any] | None = None) -> str:
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {"FilterPolicy": json.dumps(filter_policy)} if filter_policy else {}
        self.sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)
        return url

    def _drain(self, queue_url: str) -> list[str]:
        bodies: list[str] = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(message["Body"])
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

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

    def _send_to_failed_events(self, event: Any, error: BaseException) -> None:
        """What Lambda's on-failure destination receives once an async invocation gives up."""
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": FakeLambdaContext().invoked_function_arn,
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 3,
            },
            "requestPayload": event,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exception(error)[-3:],
            },
        }
        self.sqs.send_message(QueueUrl=self.failed_events_url, MessageBody=json.dumps(record, default=str))

    def _set_environment(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_environment.setdefault(name, os.environ.get(name))
            os.environ[name] = value
