"""The dead-letter queue, for events that can never be processed: the message body as it came, and why."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from task_monitor.adapters.refusals import SQS, permanent_refusals
from task_monitor.domain.outcomes import Rejection
from task_monitor.errors import RequestRefusedError

# SQS accepts only these characters in bodies and attribute values; an error message quotes the bad
# value, which may hold anything. Attribute values are kept short: the body is the evidence.
MAX_ATTRIBUTE_CHARACTERS = 1024


@functools.cache
def _not_allowed_by_sqs() -> re.Pattern[str]:
    """Compiled on first use: this character class takes ~5 ms to compile, too much for every cold start."""
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> dict[str, str]:
    cleaned = _not_allowed_by_sqs().sub("?", value)[:MAX_ATTRIBUTE_CHARACTERS]
    return {"DataType": "String", "StringValue": cleaned or "?"}


def rejection_attributes(rejection: Rejection) -> dict[str, dict[str, str]]:
    """Message attributes a person (or ``replay``) reads to see why the event was set aside: the
    field of an invalid event; the service, operation and AWS error code of a refused request."""
    error = rejection.error
    if isinstance(error, RequestRefusedError):
        about = {
            "service": _text(error.service),
            "operation": _text(error.operation),
            "awsErrorCode": _text(error.code),
        }
    else:
        about = {"field": _text(error.field)}
    return {
        "errorType": _text(type(error).__name__),
        "errorMessage": _text(str(error)),
        **about,
        "sourceMessageId": _text(rejection.message_id),
        "rejectedAt": _text(rejection.rejected_at),
    }


class SqsDeadLetters:
    """The client is made on the first rejection: invalid events are rare, and a client at cold start
    would cost every invocation's start for them."""

    def __init__(self, client_factory: Callable[[], Any], queue_url: str) -> None:
        self._client_factory = client_factory
        self._client: Any = None
        self._queue_url = queue_url

    @permanent_refusals(SQS)
    def send(self, body: str, rejection: Rejection) -> None:
        """A send SQS refuses for itself raises ``RequestRefusedError``: the intake then leaves the
        message on the events queue, whose redrive policy sets it aside after its last receive."""
        if self._client is None:
            self._client = self._client_factory()
        self._client.send_message(
            QueueUrl=self._queue_url, MessageBody=body, MessageAttributes=rejection_attributes(rejection)
        )
