"""The dead-letter adapter against moto's SQS: the body unchanged, the error in attributes SQS accepts."""

from __future__ import annotations

import botocore.session
from moto import mock_aws

from task_monitor.adapters.dead_letters import MAX_ATTRIBUTE_CHARACTERS, SqsDeadLetters
from task_monitor.domain.ports import Rejection
from task_monitor.errors import InvalidEventError, RequestRefusedError


def test_the_body_is_kept_and_the_error_fits_what_sqs_accepts_in_attributes() -> None:
    with mock_aws():
        sqs = botocore.session.get_session().create_client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="dead-letters")["QueueUrl"]
        made: list[int] = []

        def factory():
            made.append(1)
            return sqs

        dead_letters = SqsDeadLetters(factory, url)
        assert made == []  # no client until the first rejection: cold start pays nothing for it
        # A problem quoting a value with characters SQS refuses in attribute values, and a long one
        error = InvalidEventError("detail.status", "'\x00BAD\x1f' " + "x" * 5000)
        body = '{"id": "e1", "detail": {"status": "\\u0000BAD"}}'
        dead_letters.send(body, Rejection("m1", error, "2026-11-24T00:00:00.000Z"))
        dead_letters.send(body, Rejection("m2", error, "2026-11-24T00:00:01.000Z"))

        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
        assert made == [1]
        assert [m["Body"] for m in messages] == [body, body]
        attributes = {name: value["StringValue"] for name, value in messages[0]["MessageAttributes"].items()}
        assert attributes["errorType"] == "InvalidEventError"
        assert attributes["field"] == "detail.status"
        assert attributes["errorMessage"].startswith("invalid Braket event: detail.status: '?BAD?' xxx")
        assert len(attributes["errorMessage"]) == MAX_ATTRIBUTE_CHARACTERS
        assert attributes["sourceMessageId"] == "m1"


def test_a_refused_request_is_set_aside_with_the_service_s_error_instead_of_a_field() -> None:
    with mock_aws():
        sqs = botocore.session.get_session().create_client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="dead-letters")["QueueUrl"]
        error = RequestRefusedError(
            "DynamoDB", "TransactWriteItems", "ValidationException", "Item size has exceeded the maximum allowed size"
        )
        SqsDeadLetters(lambda: sqs, url).send("{}", Rejection("m1", error, "2026-11-24T00:00:00.000Z"))
        (message,) = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes == {
        "errorType": "RequestRefusedError",
        "errorMessage": "DynamoDB refused TransactWriteItems: ValidationException: "
        "Item size has exceeded the maximum allowed size",
        "service": "DynamoDB",
        "operation": "TransactWriteItems",
        "awsErrorCode": "ValidationException",
        "sourceMessageId": "m1",
        "rejectedAt": "2026-11-24T00:00:00.000Z",
    }
