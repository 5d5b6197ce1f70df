"""One fault injector for the real handler: a fault plan, answered at botocore's ``before-send``.

``FaultPlan.installed(plan)`` puts one handler at the front of
``botocore.handlers.BUILTIN_HANDLERS`` (``REGISTER_FIRST`` on ``before-send.<service>``), so
every client the handler module creates afterwards (a cold start) sends each HTTP attempt
through it first. The plan *is* the transport for those clients: it forwards
each request itself, under one lock, to the Braket emulator or to moto, then marks the request
answered (the emulator's answered set, and a URL moto does not serve) so that neither runs again
when botocore goes on calling the other ``before-send`` handlers. Serialising the forward makes
each AWS call atomic, as it is on AWS, even when two invocations run in threads.

A plan is a list of ``Fault(operation, index, kind, times)``: the ``index``-th HTTP attempt of
``operation`` (counted from 0 over the plan's life, botocore's retries included) and the ``times - 1``
attempts after it get ``kind``. A fault with a ``scope`` counts only the attempts whose request is
about that scope (``request_tags``): an event id it writes, marks or publishes, the kind of partition
it names (``TASK``, ``JOB``, ``DEVICE``), ``history`` for a query of one partition, the index a query
reads (``byJob``, ``byStatus``), the kind of a notification (``task``, ``job``, ``device``). So
``Fault("TransactWriteItems", 0, "crash", scope=event_id)`` is the first transaction of that event,
whatever else the story writes. The kinds:

* ``throttle``, ``server_error``, ``conflict`` (``TransactionConflictException``, DynamoDB),
  ``cancelled_conflict`` (``TransactionCanceledException`` with a ``TransactionConflict`` reason,
  TransactWriteItems): answered with the service's error; the request never reaches the service;
* ``drop``: the connection drops before the request reaches the service;
* ``lost_500``, ``lost_drop``: a LOST ANSWER: the service does the work, the client sees a 500 or
  a dropped connection;
* ``crash``: the invocation dies before the call (``Crash``, a ``BaseException`` the function's
  ``except Exception`` does not catch); ``crash_after``: it dies after the service did the work;
* ``refused``: the service refuses the request itself, for good (DynamoDB ``ValidationException``,
  SNS ``InvalidParameter``), as it would an item or a message too large. Never drawn at random: a
  plan that plants one names the event it makes unprocessable, with the reason, in ``unprocessable``
  (the oracle then expects that event, and only it, on the dead-letter queue).

DynamoDB's ``ClientRequestToken`` idempotency, which moto lacks, is emulated when
``emulate_request_tokens`` is set: a TransactWriteItems that succeeded remembers its token, and a
later request with the same token (botocore's retry of a call whose answer was lost) is answered
``200 {}`` without running again, as DynamoDB does within 10 minutes. Without it, moto answers such
a retry with a cancellation (ConditionalCheckFailed on the event's put); the code must be right
either way.

The plan also counts, per event, the faults that may repeat its notification (``excused``): a lost
answer to its own Publish that SNS accepted (botocore publishes again: "lost-answer-to-publish"), or
the invocation dying right after its own Publish was accepted or right before its own ``SENT`` mark
("ended-between-publish-and-mark": the redelivery publishes again once the claim expired). Each such
fault allows one more publish of that event, no other; a fault elsewhere excuses nothing. It records
the events whose ``SENT`` mark was written (``marked``) and any publish of an event after that
(``published_after_mark``), which nothing excuses.

``Baton`` interleaves two invocations deterministically: only the thread holding it runs, and it
is passed on at every AWS call, following a schedule.
"""

from __future__ import annotations

import collections
import contextlib
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ConnectionClosedError
from moto.core.models import botocore_stubber

from task_monitor_devkit import braket_emulator
from task_monitor_devkit.http_body import RawBody

DYNAMODB_OPERATIONS = ("TransactWriteItems", "Query", "UpdateItem", "PutItem")
OPERATIONS = ("GetQuantumTask", *DYNAMODB_OPERATIONS, "Publish")
# Calls only the other kinds make: GetJob (hybrid jobs), GetItem (a device's latest state).
BRAKET_OPERATIONS = ("GetQuantumTask", "GetJob")
KIND_OPERATIONS = ("GetJob", "GetItem")
ERROR_KINDS = ("throttle", "server_error", "drop", "conflict", "cancelled_conflict")
LOST_ANSWER_KINDS = ("lost_500", "lost_drop")
CRASH_KINDS = ("crash", "crash_after")
REFUSAL_KINDS = ("refused",)  # planted explicitly (with ``FaultPlan.unprocessable``), never drawn
LOST_ANSWER_TO_PUBLISH = "lost-answer-to-publish"
ENDED_BETWEEN_PUBLISH_AND_MARK = "ended-between-publish-and-mark"
# The faults on an event's own Publish (when SNS took the message) or own SENT mark after which a
# correct function may publish that event once more, and why.
PUBLISH_EXCUSES = {
    "lost_500": LOST_ANSWER_TO_PUBLISH,
    "lost_drop": LOST_ANSWER_TO_PUBLISH,
    "crash_after": ENDED_BETWEEN_PUBLISH_AND_MARK,
}
MARK_EXCUSES = {"crash": ENDED_BETWEEN_PUBLISH_AND_MARK}
SERVICES = ("braket", "dynamodb", "sns")
KINDS = ERROR_KINDS + LOST_ANSWER_KINDS + CRASH_KINDS
_ANSWERED_URL = "https://fault-plan.invalid/answered"  # moto serves only *.amazonaws.com


class Crash(BaseException):
    """The invocation dies here (timeout, out of memory, a killed sandbox): nothing after runs."""


def kinds_for(operation: str) -> tuple[str, ...]:
    """The faults that make sense for an operation."""
    if operation == "TransactWriteItems":
        return KINDS
    if operation in DYNAMODB_OPERATIONS or operation == "GetItem":
        return tuple(kind for kind in KINDS if kind != "cancelled_conflict")
    return tuple(kind for kind in KINDS if kind not in ("conflict", "cancelled_conflict"))


@dataclass(frozen=True)
class Fault:
    operation: str
    index: int
    kind: str
    times: int = 1
    scope: str | None = None  # count only the attempts about this (see ``request_tags``)

    def covers(self, index: int) -> bool:
        return self.index <= index < self.index + (1 if self.kind in CRASH_KINDS else self.times)


def _dynamodb_error(url: str, code: str, status: int, **extra: Any) -> AWSResponse:
    payload = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected", **extra})
    headers = {"content-type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault-plan"}
    return AWSResponse(url, status, headers, RawBody(payload.encode()))


def _sns_error(url: str, code: str, status: int) -> AWSResponse:
    kind = "Receiver" if status >= 500 else "Sender"
    payload = (
        f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>injected</Message></Error>"
        "<RequestId>fault-plan</RequestId></ErrorResponse>"
    )
    return AWSResponse(url, status, {"content-type": "text/xml"}, RawBody(payload.encode()))


def _braket_error(url: str, code: str, status: int) -> AWSResponse:
    headers = {"content-type": "application/json", "x-amzn-ErrorType": code, "x-amzn-RequestId": "fault-plan"}
    return AWSResponse(url, status, headers, RawBody(json.dumps({"message": "injected"}).encode()))


def error_answer(operation: str, kind: str, url: str) -> AWSResponse:
    """The service's own answer for an error kind, as botocore would read it from the wire."""
    if kind == "refused":
        if operation == "Publish":
            return _sns_error(url, "InvalidParameter", 400)
        if operation in DYNAMODB_OPERATIONS or operation == "GetItem":
            return _dynamodb_error(url, "ValidationException", 400)
        raise ValueError(f"no planted refusal for {operation}")
    if operation in BRAKET_OPERATIONS:
        code, status = {"throttle": ("ThrottlingException", 429), "server_error": ("InternalServiceException", 500)}[
            kind
        ]
        return _braket_error(url, code, status)
    if operation == "Publish":
        code, status = {"throttle": ("Throttling", 400), "server_error": ("InternalError", 500)}[kind]
        return _sns_error(url, code, status)
    if kind == "cancelled_conflict":
        reasons = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
        return _dynamodb_error(url, "TransactionCanceledException", 400, CancellationReasons=reasons)
    code, status = {
        "throttle": ("ProvisionedThroughputExceededException", 400),
        "server_error": ("InternalServerError", 500),
        "conflict": ("TransactionConflictException", 400),
    }[kind]
    return _dynamodb_error(url, code, status)


class Baton:
    """Only the holder runs; at each AWS call it passes the baton as ``schedule`` says (cycled)."""

    WAIT_SECONDS = 30.0

    def __init__(self, workers: int, schedule: Sequence[int]) -> None:
        self._cond = threading.Condition()
        self._schedule = list(schedule) or [0]
        self._position = 0
        self._alive = set(range(workers))
        self._holder: int | None = self._schedule[0] % workers
        self._local = threading.local()
        self.switches = 0

    def _pick(self) -> int | None:
        if not self._alive:
            return None
        wanted = self._schedule[self._position % len(self._schedule)]
        self._position += 1
        return wanted if wanted in self._alive else min(self._alive)

    def _wait_for(self, me: int) -> None:
        if not self._cond.wait_for(lambda: self._holder == me, timeout=self.WAIT_SECONDS):
            raise RuntimeError(f"worker {me} never got the baton back: a deadlock in the test's scheduling")

    def enter(self, me: int) -> None:
        self._local.me = me
        with self._cond:
            self._wait_for(me)

    def switch(self) -> None:
        me = getattr(self._local, "me", None)
        if me is None:
            return
        with self._cond:
            self.switches += 1
            self._holder = self._pick()
            self._cond.notify_all()
            self._wait_for(me)

    def leave(self, me: int) -> None:
        with self._cond:
            self._alive.discard(me)
            self._holder = self._pick()
            self._cond.notify_all()


@dataclass
class FaultPlan:
    faults: Sequence[Fault] = ()
    emulate_request_tokens: bool = True
    braket: Any = None  # the EmbeddedAws's BraketEmulator, for GetQuantumTask
    baton: Baton | None = None
    injected: collections.Counter[str] = field(default_factory=collections.Counter)
    calls: collections.Counter[str] = field(default_factory=collections.Counter)
    # (operation, scope) -> attempts so far, for the scopes the plan's faults name
    scoped_calls: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    # eventId -> why the plan makes it unprocessable for good (it must end on the dead-letter queue)
    unprocessable: Mapping[str, str] = field(default_factory=dict)
    # eventId -> one reason per fault on its own Publish or SENT mark that allows one more publish
    excused: dict[str, list[str]] = field(default_factory=dict)
    marked: set[str] = field(default_factory=set)  # events whose SENT mark was written
    published_after_mark: list[str] = field(default_factory=list)  # always a breach
    _tokens: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- installation ----------------------------------------------------------------------
    @staticmethod
    @contextlib.contextmanager
    def installed(handler: Any) -> Iterator[None]:
        """While active, every botocore session made (the handler's, at its cold start) sends through
        ``handler`` (a plan, or a dispatcher to the current plan) before anything else.

        botocore calls the handlers of a more specific event first (``before-send.braket`` before
        ``before-send``), so it is registered per service, ahead of the Braket emulator's entry."""
        entries = [(f"before-send.{service}", handler, botocore.handlers.REGISTER_FIRST) for service in SERVICES]
        botocore.handlers.BUILTIN_HANDLERS[:0] = entries
        try:
            yield
        finally:
            for entry in entries:
                botocore.handlers.BUILTIN_HANDLERS.remove(entry)

    # -- the handler -----------------------------------------------------------------------
    def __call__(self, request: AWSPreparedRequest, event_name: str = "", **_: Any) -> AWSResponse | None:
        parts = event_name.split(".")
        if len(parts) < 3 or request.url == _ANSWERED_URL:
            return None
        operation = parts[2]
        if self.baton is not None:
            self.baton.switch()
        with self._lock:
            index = self.calls[operation]
            self.calls[operation] += 1
            fault = next(
                (f for f in self.faults if f.scope is None and f.operation == operation and f.covers(index)), None
            )
            scoped = self._scoped_fault(operation, request)
            if fault is None and scoped is not None:
                fault, index = scoped
            if fault is not None:
                self.injected[fault.kind] += 1
            if fault is None or fault.kind in LOST_ANSWER_KINDS or fault.kind == "crash_after":
                response = self._forward(operation, request, event_name)
            else:
                response = None
            self._account(operation, request, response, fault)
            self._mark_answered(request)
        if fault is None:
            return response
        if fault.kind == "crash":
            raise Crash(f"injected before {operation} #{index}")
        if fault.kind == "crash_after":
            raise Crash(f"injected after {operation} #{index}")
        if fault.kind in {"drop", "lost_drop"}:
            raise ConnectionClosedError(endpoint_url=request.url)
        if fault.kind == "lost_500":
            return error_answer(operation, "server_error", request.url)
        return error_answer(operation, fault.kind, request.url)

    # -- internals -------------------------------------------------------------------------
    def _scoped_fault(self, operation: str, request: AWSPreparedRequest) -> tuple[Fault, int] | None:
        """Count the attempt in every scope a fault of the plan names and it is about (lock held);
        the first scoped fault that covers its count there, with that count."""
        scopes = {f.scope for f in self.faults if f.scope is not None and f.operation == operation}
        if not scopes:
            return None
        tags = request_tags(operation, request)
        counts = {}
        for scope in scopes & tags:
            counts[scope] = self.scoped_calls[(operation, scope)]
            self.scoped_calls[(operation, scope)] += 1
        for fault in self.faults:
            if fault.operation == operation and fault.scope in counts and fault.covers(counts[fault.scope]):
                return fault, counts[fault.scope]
        return None

    def _forward(self, operation: str, request: AWSPreparedRequest, event_name: str) -> AWSResponse:
        """Let the service do the work (lock held): the Braket emulator, or moto."""
        if operation == "TransactWriteItems" and self.emulate_request_tokens:
            token = json.loads(request.body).get("ClientRequestToken")
            if token in self._tokens:
                return AWSResponse(request.url, 200, {"content-type": "application/x-amz-json-1.0"}, RawBody(b"{}"))
        if operation in BRAKET_OPERATIONS:
            response = self.braket._handle(request, event_name=event_name)
        else:
            response = botocore_stubber(event_name, request)
        if response is None:  # pragma: no cover - both answer every request they are given
            raise RuntimeError(f"nothing answered {event_name}")
        if response.status_code == 200:
            self._succeeded(operation, request)
        return response

    def _succeeded(self, operation: str, request: AWSPreparedRequest) -> None:
        if operation == "TransactWriteItems" and self.emulate_request_tokens:
            token = json.loads(request.body).get("ClientRequestToken")
            if token:
                self._tokens.add(token)

    def _account(
        self, operation: str, request: AWSPreparedRequest, response: AWSResponse | None, fault: Fault | None
    ) -> None:
        """Per event (lock held): a publish after its SENT mark; a mark written; a fault on its own
        publish or mark that allows one more publish of it (see the module's docstring)."""
        done = response is not None and response.status_code == 200
        if operation == "Publish":
            event_id = _published_event_id(request)
            if done and event_id in self.marked:
                self.published_after_mark.append(event_id)
            if done and fault is not None and fault.kind in PUBLISH_EXCUSES:
                self.excused.setdefault(event_id, []).append(PUBLISH_EXCUSES[fault.kind])
        elif operation == "UpdateItem":
            marked = _marked_event_id(request)
            if marked is None:
                return
            if done:
                self.marked.add(marked)
            if fault is not None and fault.kind in MARK_EXCUSES:
                self.excused.setdefault(marked, []).append(MARK_EXCUSES[fault.kind])

    def allowed_publishes(self, event_id: str) -> int:
        """How many times the event may be published: once, plus once per fault that excuses a repeat."""
        return 1 + len(self.excused.get(event_id, []))

    @staticmethod
    def _mark_answered(request: AWSPreparedRequest) -> None:
        """Keep the Braket emulator and moto, which botocore calls next, from doing the work again."""
        braket_emulator._ANSWERED.add(request)
        request.url = _ANSWERED_URL


def _body_text(request: AWSPreparedRequest) -> str:
    body = request.body
    return body.decode() if isinstance(body, bytes) else str(body or "")


def _published_event_id(request: AWSPreparedRequest) -> str:
    message = json.loads(parse_qs(_body_text(request))["Message"][0])
    return json.loads(message["default"])["eventId"]


def _marked_event_id(request: AWSPreparedRequest) -> str | None:
    """The event an UpdateItem marks SENT (the sort key ends with its id), else None."""
    body = json.loads(_body_text(request))
    if body.get("ExpressionAttributeValues", {}).get(":state", {}).get("S") != "SENT":
        return None
    return body["Key"]["sk"]["S"].rsplit("#", 1)[-1]


def request_tags(operation: str, request: AWSPreparedRequest) -> frozenset[str]:
    """What one request is about, for scoped faults: the event ids it writes, marks or publishes; the
    kind of partition its keys name (``TASK``, ``JOB``, ``DEVICE``); ``history`` and the kind for a
    query of one partition, the index's name for a query of an index; a notification's kind."""
    tags: set[str] = set()
    if operation == "Publish":
        fields = parse_qs(_body_text(request))
        tags.add(_published_event_id(request))
        for name_key, names in fields.items():
            if name_key.endswith(".Name") and names == ["kind"]:
                tags.update(fields.get(name_key.replace(".Name", ".Value.StringValue"), []))
        return frozenset(tags)
    if operation in BRAKET_OPERATIONS:
        return frozenset()
    body = json.loads(_body_text(request))
    if operation == "Query":
        if "IndexName" in body:
            return frozenset({body["IndexName"]})
        partition = body.get("ExpressionAttributeValues", {}).get(":pk", {}).get("S", "")
        return frozenset({"history", partition.split("#", 1)[0]})
    targets = [action for entry in body.get("TransactItems", []) for action in entry.values()] or [body]
    for target in targets:
        item = target.get("Item") or target.get("Key") or {}
        partition, sort_key = item.get("pk", {}).get("S", ""), item.get("sk", {}).get("S", "")
        tags.add(partition.split("#", 1)[0])
        if "eventId" in item:
            tags.add(item["eventId"]["S"])
        elif sort_key.startswith("EVENT#"):
            tags.add(sort_key.rsplit("#", 1)[-1])
    tags.discard("")
    return frozenset(tags)
