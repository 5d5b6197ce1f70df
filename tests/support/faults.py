"""Faults injected at botocore's HTTP layer: lost answers and error answers, for moto-backed tests.

botocore calls every ``before-send`` handler and takes the first answer; moto's handler is a built-in
one on ``before-send``. So:

* ``ConnectionFault`` registered *after* moto (``register_last`` on ``before-send``) is a lost answer:
  moto has done the work, then the connection "drops" and botocore retries as it would on AWS;
* ``ErrorAnswer`` registered on the operation's own event (``before-send.dynamodb.UpdateItem``, more
  specific, so it runs before moto) answers with an AWS error, and points the request (each action of a
  transaction) at a table that does not exist so that moto, which still runs, does none of the work: a
  refused write.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError

from task_monitor_devkit.http_body import RawBody

SWALLOWED_TABLE = "fault-injected-request-goes-nowhere"
UNSERVED_URL = "https://fault-injected.invalid/goes-nowhere"  # moto serves only *.amazonaws.com


class ConnectionFault:
    """Raises as if the connection dropped, for the operation named, ``times`` times."""

    def __init__(self, operation: str, times: int = 1_000) -> None:
        self.operation, self.remaining, self.raised = operation, times, 0

    def __call__(self, request, event_name: str = "", **_: Any) -> None:
        if event_name.endswith(f".{self.operation}") and self.remaining > 0:
            self.remaining -= 1
            self.raised += 1
            raise ConnectionClosedError(endpoint_url=request.url)


class ErrorAnswer:
    """Answers a DynamoDB (or SNS) operation with error ``code`` (HTTP ``status``) ``times`` times; moto
    does nothing."""

    def __init__(self, operation: str, code: str, *, status: int = 400, times: int = 1_000) -> None:
        self.operation, self.code, self.status, self.remaining, self.answered = operation, code, status, times, 0

    def __call__(self, request, event_name: str = "", **_: Any) -> AWSResponse | None:
        if not event_name.endswith(f".{self.operation}") or self.remaining <= 0:
            return None
        self.remaining -= 1
        self.answered += 1
        if event_name.startswith("before-send.sns."):
            return self._sns_answer(request)
        body = json.loads(request.body)
        body["TableName"] = SWALLOWED_TABLE  # moto answers ResourceNotFound, unseen, and writes nothing
        for entry in body.get("TransactItems", []):  # a transaction names its table in each action
            for action in entry.values():
                action["TableName"] = SWALLOWED_TABLE
        request.body = json.dumps(body).encode()
        payload = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{self.code}", "message": "injected"})
        headers = {"content-type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault-injected"}
        return AWSResponse(request.url, self.status, headers, RawBody(payload.encode()))

    def _sns_answer(self, request) -> AWSResponse:
        """SNS's XML error; the request goes to a host moto does not serve, so nothing is published."""
        url, request.url = request.url, UNSERVED_URL
        kind = "Receiver" if self.status >= 500 else "Sender"
        payload = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{self.code}</Code><Message>injected</Message></Error>"
            "<RequestId>fault-injected</RequestId></ErrorResponse>"
        )
        return AWSResponse(url, self.status, {"content-type": "text/xml"}, RawBody(payload.encode()))
