"""AWS answered in this process at botocore's HTTP layer, for bursts and benchmarks.

moto 5.2.5's DynamoDB deep-copies the whole table on every ``TransactWriteItems`` and walks each
update expression's syntax tree many times: about 50 ms per event even with a table of a hundred
items, and hundreds of MB of RSS per hundred events. For tens of thousands of events, these
``before-send`` handlers answer instead, so what is measured is the function and botocore (request
serialization, response parsing, retries, error modelling), not moto:

* ``CannedAws``: stateless canned answers for every call the function makes (GetQuantumTask,
  TransactWriteItems, PutItem, UpdateItem, Query, Publish). ``transact`` picks the path: a new event
  (the transaction succeeds), a duplicate (the put's condition fails, the stored item notified), or
  a late event (the latest state's condition fails; the PutItem then succeeds). It keeps nothing, so
  a container's memory can be watched over any number of events.
* ``FakeAuditTable``: a small stateful DynamoDB for the audit table (the four operations the function
  calls, with the condition, key-condition, filter and update expressions it sends, evaluated for
  real), so a burst can check what was recorded. O(1) per write, O(partition) per query.

``installed(handler)`` puts a handler at the front of ``botocore.handlers.BUILTIN_HANDLERS`` (as
``register_first``), so every client created meanwhile gets it ahead of moto's own.
"""

from __future__ import annotations

import contextlib
import copy
import email.utils
import json
import re
import uuid
import weakref
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from task_monitor_devkit.http_body import RawBody

Handler = Callable[..., AWSResponse | None]
# Requests answered here. botocore calls every before-send handler (it keeps the first answer), so
# moto still does the work of a request answered here unless it is told: see ``moto_skips_answered``.
ANSWERED: weakref.WeakSet[AWSPreparedRequest] = weakref.WeakSet()
_DYNAMODB_ERROR = "com.amazonaws.dynamodb.v20120810#"
_TASK_PATH = re.compile(r"^/quantum-task/(?P<arn>[^/]+)$")


def response(url: str, status: int, payload: bytes, content_type: str = "application/x-amz-json-1.0") -> AWSResponse:
    headers = {
        "content-type": content_type,
        "content-length": str(len(payload)),
        "date": email.utils.formatdate(usegmt=True),
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
    return AWSResponse(url, status, headers, RawBody(payload))


def json_response(url: str, body: Any, status: int = 200, content_type: str = "application/x-amz-json-1.0") -> Any:
    return response(url, status, json.dumps(body).encode(), content_type)


def dynamodb_error(url: str, code: str, message: str, **fields: Any) -> AWSResponse:
    return json_response(url, {"__type": _DYNAMODB_ERROR + code, "message": message, **fields}, status=400)


def publish_response(url: str) -> AWSResponse:
    body = (
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
        f"<MessageId>{uuid.uuid4()}</MessageId></PublishResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></PublishResponse>"
    )
    return response(url, 200, body.encode(), "text/xml")


def operation_of(event_name: str) -> str:
    """``before-send.dynamodb.TransactWriteItems`` -> ``TransactWriteItems``."""
    return event_name.rsplit(".", 1)[-1]


@contextlib.contextmanager
def installed(handler: Handler, event: str = "before-send") -> Iterator[Handler]:
    """Serve every botocore client created while active, ahead of any other before-send handler."""

    def answer(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        response = handler(request=request, **kwargs)
        if response is not None:
            ANSWERED.add(request)
        return response

    spec = (event, answer, botocore.handlers.REGISTER_FIRST)
    botocore.handlers.BUILTIN_HANDLERS.insert(0, spec)
    try:
        yield handler
    finally:
        botocore.handlers.BUILTIN_HANDLERS[:] = [e for e in botocore.handlers.BUILTIN_HANDLERS if e is not spec]


@contextlib.contextmanager
def moto_skips_answered() -> Iterator[None]:
    """While active, moto's before-send handler passes over requests answered here (else it would
    still run them: for DynamoDB, a deep copy of its whole table per transaction)."""
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__

    def call(self: Any, event_name: str, request: AWSPreparedRequest, **kwargs: Any) -> Any:
        return None if request in ANSWERED else original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = call  # type: ignore[method-assign]
    try:
        yield
    finally:
        BotocoreStubber.__call__ = original  # type: ignore[method-assign]


# ------------------------------------------------------------------------------------ canned answers
NEW, DUPLICATE, LATE = "new", "duplicate", "late"


def canned_description(task_arn: str, status: str = "COMPLETED") -> dict[str, Any]:
    """GetQuantumTask's answer in wire form (a finished task of a program set)."""
    region = task_arn.split(":")[3]
    task_id = task_arn.rsplit("/", 1)[-1]
    return {
        "quantumTaskArn": task_arn,
        "status": status,
        "deviceArn": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
        "deviceParameters": "{}",
        "shots": 1000,
        "outputS3Bucket": f"amazon-braket-{region}-123456789012",
        "outputS3Directory": f"tasks/{task_id}",
        "createdAt": "2026-11-20T09:00:01.120Z",
        "endedAt": "2026-11-20T11:43:39.871Z",
        "numSuccessfulShots": 1000,
        "tags": {"project": "vqe-h2", "owner": "alice"},
        "queueInfo": {"queue": "QUANTUM_TASKS_QUEUE", "position": "None", "queuePriority": "Normal"},
        "associations": [],
        "actionMetadata": {"actionType": "braket.ir.openqasm.program_set", "programCount": 3, "executableCount": 12},
    }


class CannedAws:
    """Stateless answers to the function's calls; ``transact`` chooses the path (NEW, DUPLICATE, LATE)."""

    def __init__(self, transact: str = NEW) -> None:
        self.transact = transact

    def __call__(self, request: AWSPreparedRequest, event_name: str = "", **_: Any) -> AWSResponse | None:
        service = event_name.split(".")[1] if event_name.count(".") >= 2 else ""
        operation = operation_of(event_name)
        url = request.url
        if service == "braket" and operation == "GetQuantumTask":
            match = _TASK_PATH.match(urlsplit(url).path)
            arn = unquote(match["arn"]) if match else "arn:aws:braket:us-east-1:123456789012:quantum-task/x"
            return json_response(url, canned_description(arn), content_type="application/json")
        if service == "sns" and operation == "Publish":
            return publish_response(url)
        if service != "dynamodb":
            return None
        if operation == "TransactWriteItems":
            return self._transact(url, json.loads(request.body))
        if operation == "Query":
            item = {"eventTime": {"S": "2026-11-20T11:41:17Z"}}
            return json_response(url, {"Items": [item], "Count": 1, "ScannedCount": 2})
        if operation in ("PutItem", "UpdateItem"):
            return json_response(url, {})
        return None

    def _transact(self, url: str, body: dict[str, Any]) -> AWSResponse:
        if self.transact == NEW:
            return json_response(url, {})
        if self.transact == DUPLICATE:
            stored = copy.copy(body["TransactItems"][0]["Put"]["Item"])
            stored["notification"] = {"S": "SENT" if "claimId" in stored else "NOT_WANTED"}
            stored.pop("claimId", None)
            stored.pop("claimedAt", None)
            reasons = [
                {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed", "Item": stored},
                {"Code": "None"},
            ]
        else:
            reasons = [
                {"Code": "None"},
                {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
            ]
        return _cancelled(url, reasons)


def _cancelled(url: str, reasons: list[dict[str, Any]]) -> AWSResponse:
    codes = ", ".join(reason["Code"] for reason in reasons)
    return dynamodb_error(
        url,
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        CancellationReasons=reasons,
    )


# --------------------------------------------------------------------------------- a stateful table
_NAME = r"#?[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(rf"\s*(<>|<=|>=|[()=<>,]|:[A-Za-z_][A-Za-z0-9_]*|{_NAME}(?:\.{_NAME})*)")
_FUNCTIONS = ("attribute_exists", "attribute_not_exists", "begins_with")


class ExpressionError(ValueError):
    """An expression this fake does not understand (it fails loudly rather than guess)."""


def _tokens(expression: str) -> list[str]:
    tokens, position = [], 0
    expression = expression.rstrip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ExpressionError(f"cannot read {expression[position:]!r}")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _scalar(value: dict[str, Any]) -> Any:
    (kind, inner), *_ = value.items()
    if kind == "N":
        return float(inner)
    return inner


class Condition:
    """A DynamoDB condition (AND, OR, NOT, parentheses, comparisons and BETWEEN of attributes, map
    paths such as ``#a.#b`` included, and values, attribute_exists, attribute_not_exists,
    begins_with) evaluated against an item."""

    def __init__(self, expression: str, names: dict[str, str] | None, values: dict[str, Any] | None) -> None:
        self._tokens = _tokens(expression)
        self._names = names or {}
        self._values = values or {}

    def __call__(self, item: dict[str, Any] | None) -> bool:
        self._item, self._at = item or {}, 0
        result = self._or()
        if self._at != len(self._tokens):
            raise ExpressionError(f"unexpected {self._tokens[self._at]!r}")
        return result

    def _peek(self) -> str | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token != expected):
            raise ExpressionError(f"expected {expected or 'more'}, got {token!r}")
        self._at += 1
        return token

    def _or(self) -> bool:
        result = self._and()
        while self._peek() == "OR":
            self._take()
            right = self._and()
            result = result or right
        return result

    def _and(self) -> bool:
        result = self._not()
        while self._peek() == "AND":
            self._take()
            right = self._not()
            result = result and right
        return result

    def _not(self) -> bool:
        if self._peek() == "NOT":
            self._take()
            return not self._not()
        return self._primary()

    def _primary(self) -> bool:
        token = self._peek()
        if token == "(":
            self._take()
            result = self._or()
            self._take(")")
            return result
        if token in _FUNCTIONS:
            self._take()
            self._take("(")
            current = self._attribute(self._take())
            if token == "begins_with":
                self._take(",")
                prefix = self._operand(self._take())
                self._take(")")
                return current is not None and prefix is not None and str(_scalar(current)).startswith(str(prefix))
            self._take(")")
            return (current is not None) == (token == "attribute_exists")
        left = self._operand(self._take())
        operator = self._take()
        if operator == "BETWEEN":
            low = self._operand(self._take())
            self._take("AND")
            high = self._operand(self._take())
            return None not in (left, low, high) and low <= left <= high
        right = self._operand(self._take())
        if left is None or right is None:
            return operator == "<>" and (left is None) != (right is None)
        return {
            "=": left == right,
            "<>": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[operator]

    def _name(self, token: str) -> str:
        if token.startswith("#"):
            return self._names[token]
        if token.startswith(":"):
            raise ExpressionError(f"a value {token} where an attribute name was expected")
        return token

    def _attribute(self, token: str) -> dict[str, Any] | None:
        """The attribute (typed, as stored) a name or a map path names; None if absent."""
        value: Any = {"M": self._item}
        for part in token.split("."):
            value = (value or {}).get("M", {}).get(self._name(part))
        return value

    def _operand(self, token: str) -> Any:
        if token.startswith(":"):
            return _scalar(self._values[token])
        value = self._attribute(token)
        return None if value is None else _scalar(value)


_IF_NOT_EXISTS = re.compile(r"^if_not_exists\(\s*(?P<name>#?\w+)\s*,\s*(?P<value>:\w+)\s*\)$")


def _apply_update(item: dict[str, Any], expression: str, names: dict[str, str], values: dict[str, Any]) -> None:
    """``SET #a = :v, #b = if_not_exists(#b, :w), ... REMOVE #r, ...`` (top-level attributes only)."""
    clauses = re.split(r"\b(SET|REMOVE)\b", expression)
    for keyword, body in zip(clauses[1::2], clauses[2::2], strict=True):
        for part in filter(None, (piece.strip() for piece in re.split(r",(?![^()]*\))", body))):
            if keyword == "SET":
                target, _, source = (side.strip() for side in part.partition("="))
                default = _IF_NOT_EXISTS.match(source)
                if default and names.get(default["name"], default["name"]) in item:
                    continue
                if default:
                    source = default["value"]
                if not source.startswith(":"):
                    raise ExpressionError(f"only plain assignments and if_not_exists are understood, not {part!r}")
                item[names.get(target, target)] = values[source]
            else:
                item.pop(names.get(part, part), None)


class FakeAuditTable:
    """The audit table the function writes (any table name), in memory; answers only DynamoDB."""

    def __init__(self, hash_key: str = "pk", range_key: str = "sk") -> None:
        from task_monitor import audit_schema

        self.items: dict[str, dict[str, dict[str, Any]]] = {}  # partition -> sort key -> item
        self._hash, self._range = hash_key, range_key
        # The table's global secondary indexes (every attribute projected): name -> (hash, range)
        self._indexes = {index.name: (index.partition_key, index.sort_key) for index in audit_schema.INDEXES}
        self.calls: dict[str, int] = {}

    def __call__(self, request: AWSPreparedRequest, event_name: str = "", **_: Any) -> AWSResponse | None:
        if not event_name.startswith("before-send.dynamodb."):
            return None
        operation = operation_of(event_name)
        self.calls[operation] = self.calls.get(operation, 0) + 1
        body = json.loads(request.body)
        answer = getattr(self, "_" + re.sub(r"(?<!^)([A-Z])", r"_\1", operation).lower(), None)
        if answer is None:
            return dynamodb_error(request.url, "ValidationException", f"FakeAuditTable does not answer {operation}")
        return answer(request.url, body)

    def get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        return self.items.get(key[self._hash]["S"], {}).get(key[self._range]["S"])

    def _key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {self._hash: item[self._hash], self._range: item[self._range]}

    def _store(self, item: dict[str, Any]) -> None:
        self.items.setdefault(item[self._hash]["S"], {})[item[self._range]["S"]] = item

    @staticmethod
    def _holds(request: dict[str, Any], item: dict[str, Any] | None) -> bool:
        expression = request.get("ConditionExpression")
        if not expression:
            return True
        names, values = request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
        return Condition(expression, names, values)(item)

    def _updated(self, request: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        item = copy.deepcopy(current) if current else copy.deepcopy(request["Key"])
        _apply_update(
            item,
            request["UpdateExpression"],
            request.get("ExpressionAttributeNames", {}),
            request.get("ExpressionAttributeValues", {}),
        )
        return item

    def _transact_write_items(self, url: str, body: dict[str, Any]) -> AWSResponse:
        reasons, writes = [], []
        for entry in body["TransactItems"]:
            ((kind, request),) = entry.items()
            key = self._key(request["Item"]) if kind == "Put" else request["Key"]
            current = self.get(key)
            if not self._holds(request, current):
                reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
                if request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current is not None:
                    reason["Item"] = current
                reasons.append(reason)
                continue
            reasons.append({"Code": "None"})
            if kind == "Put":
                writes.append(request["Item"])
            elif kind == "Update":
                writes.append(self._updated(request, current))
            elif kind != "ConditionCheck":
                return dynamodb_error(url, "ValidationException", f"FakeAuditTable does not do {kind}")
        if any(reason["Code"] != "None" for reason in reasons):
            return _cancelled(url, reasons)
        for item in writes:
            self._store(item)
        return json_response(url, {})

    def _put_item(self, url: str, body: dict[str, Any]) -> AWSResponse:
        current = self.get(self._key(body["Item"]))
        if not self._holds(body, current):
            extra = (
                {"Item": current} if body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current else {}
            )
            return dynamodb_error(url, "ConditionalCheckFailedException", "The conditional request failed", **extra)
        self._store(body["Item"])
        return json_response(url, {})

    def _update_item(self, url: str, body: dict[str, Any]) -> AWSResponse:
        current = self.get(body["Key"])
        if not self._holds(body, current):
            return dynamodb_error(url, "ConditionalCheckFailedException", "The conditional request failed")
        self._store(self._updated(body, current))
        return json_response(url, {})

    def _get_item(self, url: str, body: dict[str, Any]) -> AWSResponse:
        item = self.get(body["Key"])
        return json_response(url, {} if item is None else {"Item": item})

    def _query(self, url: str, body: dict[str, Any]) -> AWSResponse:
        """One page holding every match (the fake never pages), from the table or one of its indexes."""
        names, values = body.get("ExpressionAttributeNames"), body.get("ExpressionAttributeValues")
        hash_key, range_key = self._indexes[body["IndexName"]] if "IndexName" in body else (self._hash, self._range)
        key_condition = Condition(body["KeyConditionExpression"], names, values)
        matched = [item for item in self._partition_of(body, hash_key) if key_condition(item)]
        matched.sort(key=lambda item: item[range_key]["S"])
        scanned = len(matched)
        if body.get("FilterExpression"):
            matched = [item for item in matched if Condition(body["FilterExpression"], names, values)(item)]
        if body.get("Select") == "COUNT":
            return json_response(url, {"Count": len(matched), "ScannedCount": scanned})
        if body.get("ProjectionExpression"):
            wanted = [(names or {}).get(name.strip(), name.strip()) for name in body["ProjectionExpression"].split(",")]
            matched = [{name: item[name] for name in wanted if name in item} for item in matched]
        return json_response(url, {"Items": matched, "Count": len(matched), "ScannedCount": scanned})

    def _partition_of(self, body: dict[str, Any], hash_key: str) -> list[dict[str, Any]]:
        """The items of the partition named by the key condition's ``<hash> = :value`` (of the table
        or of an index: then every item, in any table partition, whose index key holds that value)."""
        names = body.get("ExpressionAttributeNames") or {}
        tokens = _tokens(body["KeyConditionExpression"])
        for position, token in enumerate(tokens[:-2]):
            if names.get(token, token) == hash_key and tokens[position + 1] == "=":
                wanted = body["ExpressionAttributeValues"][tokens[position + 2]]
                if hash_key == self._hash:
                    return list(self.items.get(wanted["S"], {}).values())
                return [
                    item for items in self.items.values() for item in items.values() if item.get(hash_key) == wanted
                ]
        raise ExpressionError("the key condition names no partition")
