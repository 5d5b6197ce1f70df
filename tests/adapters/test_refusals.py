"""Which AWS errors refuse a request for good (``RequestRefusedError``, set aside) and which pass for a retry.

Against moto where it refuses as AWS does (a DynamoDB key over 2,048 bytes, an item over 400 KB, an SNS
message over 256 KB), and errors answered at botocore's HTTP layer or by a Stubber where it does not.
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.stub import Stubber
from moto import mock_aws

from task_monitor.adapters.audit_items import DEVICE_ITEMS
from task_monitor.adapters.audit_store import DynamoAuditStore
from task_monitor.adapters.dead_letters import SqsDeadLetters
from task_monitor.adapters.notifier import SnsPublisher
from task_monitor.adapters.refusals import refusal
from task_monitor.adapters.waiting_tasks import DynamoWaitingTasks
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor.domain.notification_model import Notification
from task_monitor.domain.outcomes import Rejection, SaveOutcome
from task_monitor.errors import InvalidEventError, RequestRefusedError
from task_monitor.wiring import AWS_CLIENT_CONFIG
from task_monitor_devkit.builders.task import FORTE, TASK_ARN, description, long_device_arn, task_event
from tests.support.fault_plan import error_answer
from tests.support.faults import ErrorAnswer

TABLE = "audit-under-test"


def _client_error(code: str, status: int = 400, operation: str = "TransactWriteItems", **extra: Any) -> ClientError:
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": f"{code} says no"},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **extra,
    }
    return ClientError(response, operation)  # type: ignore[arg-type]


def _cancelled(*codes: str) -> ClientError:
    reasons = [{"Code": code, "Message": f"{code} reason"} for code in codes]
    return _client_error("TransactionCanceledException", CancellationReasons=reasons)


# -- the classification, service by service ------------------------------------------------------------
@pytest.mark.parametrize(
    ("service", "error"),
    [
        ("DynamoDB", _client_error("ValidationException")),
        ("DynamoDB", _cancelled("None", "ValidationError")),
        ("DynamoDB", _cancelled("ValidationError", "None")),
        ("SNS", _client_error("InvalidParameter", operation="Publish")),
        ("SNS", _client_error("InvalidParameterValue", operation="Publish")),
        ("SQS", _client_error("InvalidMessageContents", operation="SendMessage")),
        ("SQS", _client_error("InvalidParameterValue", operation="SendMessage")),
        ("SNS", ParamValidationError(report="Invalid type for parameter Subject")),
    ],
)
def test_a_request_refused_for_itself_is_permanent(service: str, error: Exception) -> None:
    refused = refusal(service, error, "the_method")
    assert isinstance(refused, RequestRefusedError) and refused.service == service
    assert refused.operation == getattr(error, "operation_name", "the_method")


@pytest.mark.parametrize(
    ("service", "error"),
    [
        ("DynamoDB", _client_error("ProvisionedThroughputExceededException")),
        ("DynamoDB", _client_error("ThrottlingException")),
        ("DynamoDB", _client_error("RequestLimitExceeded")),
        ("DynamoDB", _client_error("InternalServerError", 500)),
        ("DynamoDB", _client_error("ServiceUnavailable", 503)),
        ("DynamoDB", _client_error("TransactionConflictException")),
        ("DynamoDB", _client_error("ConditionalCheckFailedException")),
        ("DynamoDB", _client_error("AccessDeniedException")),  # an operator can grant it: retried
        ("DynamoDB", _client_error("ResourceNotFoundException")),
        ("DynamoDB", _cancelled("None", "TransactionConflict")),
        ("DynamoDB", _cancelled("ConditionalCheckFailed", "None")),
        ("DynamoDB", _cancelled("None", "ThrottlingError")),
        ("SNS", _client_error("Throttling", operation="Publish")),
        ("SNS", _client_error("InternalError", 500, operation="Publish")),
        ("SNS", _client_error("KMSThrottling", operation="Publish")),
        ("SNS", _client_error("AuthorizationError", 403, operation="Publish")),
        ("SQS", _client_error("RequestThrottled", operation="SendMessage")),
        ("SNS", _client_error("ServiceUnavailable", 503, operation="Publish")),
        ("DynamoDB", ConnectionError("dropped")),
    ],
)
def test_throttling_5xx_conflicts_and_fixable_setups_are_not(service: str, error: Exception) -> None:
    assert refusal(service, error) is None


def test_a_code_is_read_for_its_own_service_only() -> None:
    # SQS's InvalidMessageContents means nothing coming from DynamoDB
    assert refusal("DynamoDB", _client_error("InvalidMessageContents")) is None


# -- DynamoDB: on moto, which refuses keys and items too large ----------------------------------------------
@pytest.fixture
def dynamodb():
    from task_monitor import audit_schema

    with mock_aws():
        client = botocore.session.get_session().create_client(
            "dynamodb", region_name="us-east-1", config=AWS_CLIENT_CONFIG
        )
        client.create_table(**audit_schema.create_table_request(TABLE))
        yield client


def _device_record(arn: str) -> dict[str, Any]:
    return {"eventId": "e-1", "eventTime": "2026-11-21T06:00:04.000Z", "deviceArn": arn, "status": "OFFLINE"}


def test_a_key_over_2048_bytes_is_refused_for_good_and_nothing_is_written(dynamodb) -> None:
    # A device timeline keyed by a 2,142-character ARN (the parser no longer lets one through)
    store = DynamoAuditStore(dynamodb, TABLE, kind=DEVICE_ITEMS)
    with pytest.raises(RequestRefusedError) as refused:
        store.save(_device_record(long_device_arn(2_142)), claim=None)
    assert (refused.value.service, refused.value.operation, refused.value.code) == (
        "DynamoDB",
        "TransactWriteItems",
        "ValidationException",
    )
    assert "2048 bytes" in refused.value.message
    assert isinstance(refused.value.__cause__, ClientError)
    assert dynamodb.scan(TableName=TABLE)["Items"] == []


def test_an_item_over_400_kb_is_refused_for_good(dynamodb) -> None:
    store = DynamoAuditStore(dynamodb, TABLE)
    record = build_record(parse_task_event(task_event("RUNNING")), description("RUNNING", tags={"big": "x" * 410_000}))
    with pytest.raises(RequestRefusedError, match="Item size has exceeded"):
        store.save(record, claim=None)
    assert dynamodb.scan(TableName=TABLE)["Items"] == []


def test_a_validation_exception_is_not_retried_and_throttling_still_is(dynamodb) -> None:
    store = DynamoAuditStore(dynamodb, TABLE)
    record = build_record(parse_task_event(task_event("RUNNING")), description("RUNNING"))
    refused = ErrorAnswer("TransactWriteItems", "ValidationException", times=1)
    dynamodb.meta.events.register("before-send.dynamodb.TransactWriteItems", refused)
    with pytest.raises(RequestRefusedError):
        store.save(record, claim=None)
    assert refused.answered == 1  # one attempt: botocore does not retry it either
    assert dynamodb.scan(TableName=TABLE)["Items"] == []
    dynamodb.meta.events.unregister("before-send.dynamodb.TransactWriteItems", refused)
    throttled = ErrorAnswer("TransactWriteItems", "ProvisionedThroughputExceededException", times=4)
    dynamodb.meta.events.register("before-send.dynamodb.TransactWriteItems", throttled)
    with pytest.raises(ClientError) as raised:
        store.save(record, claim=None)
    assert not isinstance(raised.value, RequestRefusedError) and throttled.answered == 4  # left for SQS's retry
    # And once the throttling is over, the same event is recorded
    assert store.save(record, claim=None) is SaveOutcome.RECORDED


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("Query", lambda store, _: store.history_facts(TASK_ARN)),
        ("GetItem", lambda store, _: store.latest(TASK_ARN)),
        ("Query", lambda _, client: DynamoWaitingTasks(client, TABLE).count(FORTE)),
    ],
    ids=["history", "latest", "waiting-tasks"],
)
def test_every_dynamodb_request_of_the_pipeline_is_classified(dynamodb, operation: str, call) -> None:
    # Real DynamoDB refuses a read by a key over its limit too; moto answers it, so the refusal is injected
    refused = ErrorAnswer(operation, "ValidationException", times=1)
    dynamodb.meta.events.register(f"before-send.dynamodb.{operation}", refused)
    with pytest.raises(RequestRefusedError) as raised:
        call(DynamoAuditStore(dynamodb, TABLE), dynamodb)
    assert (raised.value.operation, raised.value.code) == (operation, "ValidationException")


def test_a_refused_api_call_join_is_permanent(dynamodb) -> None:
    refused = ErrorAnswer("TransactWriteItems", "ValidationException", times=1)
    dynamodb.meta.events.register("before-send.dynamodb.TransactWriteItems", refused)
    call = {"eventId": "c-1", "eventTime": "2026-11-20T09:00:00.000Z", "eventName": "CreateQuantumTask"}
    call |= {"quantumTaskArn": TASK_ARN, "createdBy": {"principal": "arn:aws:iam::123456789012:role/R"}}
    with pytest.raises(RequestRefusedError):
        DynamoAuditStore(dynamodb, TABLE).join_call(call, "createdBy")


# -- SNS -----------------------------------------------------------------------------------------------------
@pytest.fixture
def publisher():
    with mock_aws():
        sns = botocore.session.get_session().create_client("sns", region_name="us-east-1", config=AWS_CLIENT_CONFIG)
        yield SnsPublisher(sns, sns.create_topic(Name="notifications")["TopicArn"]), sns


def _notification(json_body: str = "{}") -> Notification:
    return Notification(subject="Task COMPLETED", email_text="done", json_body=json_body, attributes={})


def test_a_message_sns_will_not_take_is_refused_for_good(publisher) -> None:
    sns_publisher, _ = publisher
    with pytest.raises(RequestRefusedError) as refused:
        sns_publisher.publish(_notification('"' + "x" * 300_000 + '"'))  # over SNS's 256 KB
    assert (refused.value.service, refused.value.operation, refused.value.code) == (
        "SNS",
        "Publish",
        "InvalidParameter",
    )


def test_sns_throttling_is_still_left_for_a_retry(publisher) -> None:
    sns_publisher, sns = publisher
    answered: list[int] = []

    def throttle(request, **_: Any):
        answered.append(1)
        return error_answer("Publish", "throttle", request.url)

    sns.meta.events.register("before-send.sns.Publish", throttle)
    with pytest.raises(ClientError) as raised:
        sns_publisher.publish(_notification())
    assert not isinstance(raised.value, RequestRefusedError)
    assert raised.value.response["Error"]["Code"] == "Throttling" and len(answered) == 4


# -- SQS (the dead-letter queue) ----------------------------------------------------------------------------
def test_a_dead_letter_sqs_refuses_is_reported_as_refused() -> None:
    sqs = botocore.session.get_session().create_client("sqs", region_name="us-east-1")
    stubber = Stubber(sqs)
    stubber.add_client_error("send_message", "InvalidMessageContents", "Invalid characters found")
    rejection = Rejection("m1", InvalidEventError("detail", "missing"), "2026-11-24T00:00:00.000Z")
    with stubber, pytest.raises(RequestRefusedError) as refused:
        SqsDeadLetters(lambda: sqs, "https://sqs.us-east-1.amazonaws.com/123456789012/dead").send("{}", rejection)
    assert (refused.value.service, refused.value.operation) == ("SQS", "SendMessage")
