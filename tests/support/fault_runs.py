"""Running events through the real handler under a fault plan, and checking the delivery guarantee.

``FaultRun`` owns one ``EmbeddedAws`` (moto + the Braket emulator) with the plan installed before
the handler's cold start. Events go through the queue (``deliver`` + ``drain``, which redelivers
like the event source mapping, up to ``max_receives`` and then the dead-letter queue), or as two
concurrent invocations of the same batch (``run_pair``, interleaved by a ``Baton``). A ``Crash``
kills the whole invocation: the batch's messages all come back, as Lambda would send them.

Between polls the clock moves on by the queue's visibility timeout (6 minutes), as it does before
SQS redelivers a failed message; a claim (90 s) is then always expired, as in the deployed stack.
"""

from __future__ import annotations

import collections
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from task_monitor.adapters.audit_items import TASK_FACTS
from task_monitor.domain.status import rank
from task_monitor_devkit.embedded import EmbeddedAws
from task_monitor_devkit.lambda_context import FakeLambdaContext
from tests.support.fault_plan import Baton, Crash, FaultPlan

VISIBILITY_TIMEOUT_SECONDS = 360
NOTIFY_STATUSES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})


class InvocationDied(Exception):  # noqa: N818 - what the event source mapping sees: a failed invocation
    """The invocation crashed (a ``Crash`` escaped the handler): every message of its batch comes back."""


class _Invoker:
    """Stands in for the handler module in ``EmbeddedAws.poll``: one invocation per call, crash-aware."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def lambda_handler(self, event: Any, context: Any) -> Any:
        try:
            return self._module.lambda_handler(event, context)
        except Crash as crash:
            raise InvocationDied(str(crash)) from None


@dataclass
class Stats:
    """Counts over every run, for the terminal summary."""

    runs: collections.Counter[str] = field(default_factory=collections.Counter)
    injected: collections.Counter[str] = field(default_factory=collections.Counter)
    events: int = 0
    # Counted by ``check_guarantee`` before it asserts anything, so a breach shows here too.
    checks: int = 0
    failed_checks: int = 0
    lost: int = 0
    dead_lettered_valid: int = 0  # valid events on the dead-letter queue, planned or not
    dead_lettered_as_planned: int = 0
    notifications: int = 0
    duplicates: int = 0
    allowed_duplicates: collections.Counter[str] = field(default_factory=collections.Counter)
    concurrent_pairs: int = 0

    def line(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.injected.items())) or "none"
        runs = ", ".join(f"{name} {count}" for name, count in sorted(self.runs.items()))
        allowed = sum(self.allowed_duplicates.values())
        why = ", ".join(f"{reason} {count}" for reason, count in sorted(self.allowed_duplicates.items()))
        return (
            f"fault injection: {sum(self.runs.values())} runs ({runs}); {self.concurrent_pairs} concurrent pairs; "
            f"{self.events} distinct valid events; faults injected: {kinds}; "
            f"guarantee checked {self.checks} times, breached {self.failed_checks}; events lost: {self.lost}; "
            f"valid events dead-lettered: {self.dead_lettered_valid} "
            f"({self.dead_lettered_as_planned} as planned, unprocessable); notifications {self.notifications}, "
            f"duplicate notifications: {self.duplicates} ({allowed} excused by a fault on the event's own publish "
            f"or mark{': ' + why if why else ''})"
        )


STATS = Stats()


class FaultEnvironment:
    """One embedded AWS and one cold start of the handler, shared by many runs (a module fixture):
    the handler's clients send through a dispatcher that hands each request to the current plan."""

    def __init__(self, *, max_receives: int = 20) -> None:
        self.clock = [time.time()]
        self.plan: FaultPlan | None = None
        self.aws = EmbeddedAws(max_receives=max_receives)
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> FaultEnvironment:
        from task_monitor import wiring

        self._stack.enter_context(self.aws)
        self._stack.enter_context(FaultPlan.installed(self._dispatch))
        # The stores and the announcer keep the clock they are built with: the task pipeline's at the
        # cold start, the other kinds' on their first event (``wiring.on_first_use``), so the test's
        # clock stays in place for as long as the environment lives.
        patch = self._stack.enter_context(pytest.MonkeyPatch.context())
        patch.setattr(wiring, "seconds_clock", lambda: self.clock[0])
        self.module = self.aws.load_handler()
        self.aws.handler = _Invoker(self.module)  # type: ignore[assignment]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _dispatch(self, request: Any, event_name: str = "", **kwargs: Any) -> Any:
        return None if self.plan is None else self.plan(request, event_name=event_name, **kwargs)

    def reset(self) -> None:
        """An empty table and empty queues, for the next run."""
        from task_monitor import audit_schema
        from task_monitor_devkit.embedded import TABLE_NAME

        aws = self.aws
        aws.dynamodb.delete_table(TableName=TABLE_NAME)
        aws.dynamodb.create_table(**audit_schema.create_table_request(TABLE_NAME))
        for url in (aws.events_url, aws.dead_letters_url, aws.all_notifications_url, aws.failed_only_url):
            aws._drain_messages(url)  # PurgeQueue is allowed once a minute
        aws.braket.calls.clear()
        aws.published.clear()
        self.clock[0] = time.time()


class FaultRun:
    """One run of a plan in a shared environment: the events delivered, then the guarantee checked."""

    def __init__(self, environment: FaultEnvironment, plan: FaultPlan) -> None:
        self.environment = environment
        self.plan = plan
        self.aws = environment.aws
        self.clock = environment.clock
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> FaultRun:
        self.environment.reset()
        patch = self._stack.enter_context(pytest.MonkeyPatch.context())
        patch.setattr("time.sleep", lambda _seconds: None)  # every backoff instant
        self.plan.braket = self.aws.braket
        self.environment.plan = self.plan
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.environment.plan = None
        self._stack.close()

    # -- delivering ------------------------------------------------------------------------
    def deliver(self, *events: Any) -> None:
        self.aws.deliver(*events)

    def drain(self, batch_size: int = 10) -> None:
        for _ in range(1_000):
            if self.aws.poll(batch_size) is None:
                return
            self.clock[0] += VISIBILITY_TIMEOUT_SECONDS
        raise AssertionError("the queue did not drain")

    def run_pair(self, events: Sequence[Any], schedule: Sequence[int]) -> None:
        """Two invocations of the same events at once (SQS delivered them twice); failures go back on
        the queue, as the redelivery would come."""
        batches = [list(events), list(reversed(events))]
        self.plan.baton = baton = Baton(2, schedule)
        results: list[Any] = [None, None]
        records: list[list[dict[str, Any]]] = [[self._record(event) for event in batch] for batch in batches]

        def work(me: int) -> None:
            baton.enter(me)
            try:
                results[me] = self.aws.handler.lambda_handler({"Records": records[me]}, FakeLambdaContext())
            except BaseException as error:
                results[me] = error
            finally:
                baton.leave(me)

        threads = [threading.Thread(target=work, args=(me,)) for me in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.plan.baton = None
        STATS.concurrent_pairs += 1
        for me, result in enumerate(results):
            by_id = {record["messageId"]: event for record, event in zip(records[me], batches[me], strict=True)}
            if isinstance(result, InvocationDied):
                failed = list(by_id)
            elif isinstance(result, BaseException):
                raise result
            else:
                failed = [failure["itemIdentifier"] for failure in result["batchItemFailures"]]
            self.deliver(*(by_id[message_id] for message_id in failed))
        self.clock[0] += VISIBILITY_TIMEOUT_SECONDS

    def _record(self, event: Any) -> dict[str, Any]:
        message = {"MessageId": str(uuid.uuid4()), "ReceiptHandle": "pair", "Body": json.dumps(event)}
        return self.aws._lambda_record(message)

    # -- what came out ---------------------------------------------------------------------
    def items(self) -> list[dict[str, Any]]:
        """Every item, read as the function's store reads it: a compact task item's ARN, event time and
        id from its keys, derived fields put back; storage attributes (claims, ranks) kept."""
        from task_monitor.adapters.audit_items import stored_record
        from task_monitor.adapters.dynamodb_codec import from_item

        pages = self.aws.dynamodb.get_paginator("scan").paginate(TableName="braket-task-audit")
        return [stored_record(from_item(item)) for page in pages for item in page["Items"]]


@dataclass
class Verdict:
    lost: list[str]  # valid events neither audited nor planned unprocessable, or dead-lettered unplanned
    dead_lettered_as_planned: list[str]  # valid events the plan made unprocessable, set aside
    duplicates: dict[str, int]
    allowed: dict[str, str]  # eventId -> the reason(s) excusing its repeats
    published: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)  # the table as checked
    budget_envelopes: list[dict[str, Any]] = field(default_factory=list)  # budget crossings published


TASK_STATE_CHANGE = "Braket Task State Change"


def notified_task_status(event: dict[str, Any]) -> bool:
    """Whether the guarantee expects a notification of the event: a task status in NOTIFY_STATUSES."""
    return event.get("detail-type", TASK_STATE_CHANGE) == TASK_STATE_CHANGE and (
        event["detail"]["status"] in NOTIFY_STATUSES
    )


def check_guarantee(
    run: FaultRun,
    valid: Sequence[dict[str, Any]],
    invalid: Sequence[dict[str, Any]],
    *,
    notified: Callable[[dict[str, Any]], bool | None] = notified_task_status,
) -> Verdict:
    """The README's delivery guarantee, after the queue drained; raises AssertionError on a breach.

    A valid event is lost if it was never audited or if it is on the dead-letter queue, unless the
    plan made it unprocessable (``FaultPlan.unprocessable``: then it must be there, set aside by the
    function with its error). Events of any kind are audited once; the task latest-state checks cover
    the task events; ``notified`` says which events are to be announced (by default: task statuses in
    NOTIFY_STATUSES), or None when that depends on the interleaving. An announced event is published
    at least once, and more only once per fault on its own publish or SENT mark that excuses it
    (``FaultPlan.excused``), never after its mark. The counts go to ``STATS`` before any assertion."""
    aws = run.aws
    planned = dict(run.plan.unprocessable)
    items = run.items()
    events_by_id: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    latest_by_partition: dict[str, dict[str, Any]] = {}
    for item in items:
        if item["sk"].startswith("EVENT#"):
            events_by_id[item["eventId"]].append(item)
        else:
            latest_by_partition[item["pk"]] = item
    distinct = {event["id"]: event for event in valid}
    letters = [(json.loads(letter.body), letter.attributes) for letter in aws.dead_letters()]
    dead_valid = {body["id"]: attributes for body, attributes in letters if body.get("id") in distinct}
    rejected = {body["id"]: attributes for body, attributes in letters if body.get("id") not in distinct}
    lost = sorted(
        event_id
        for event_id in distinct
        if event_id not in planned and (event_id not in events_by_id or event_id in dead_valid)
    )
    as_planned = sorted(set(dead_valid) & set(planned))
    envelopes = aws.subscriber_messages()
    # Budget crossings are announced for no event of their own: ``check_budget_crossings`` checks them.
    budget_envelopes = [envelope for envelope in envelopes if envelope["Record"].get("kind") == "budget"]
    published = collections.Counter(
        envelope["Record"]["eventId"] for envelope in envelopes if envelope["Record"].get("kind") != "budget"
    )
    STATS.checks += 1
    STATS.lost += len(lost)
    STATS.dead_lettered_valid += len(dead_valid)
    STATS.dead_lettered_as_planned += len(as_planned)
    try:
        assert aws.queued_events() == 0, "the queue did not drain"
        assert not lost, "valid events lost: " + "; ".join(
            f"{event_id} ({_what(distinct[event_id])}): "
            + (f"dead-lettered ({dead_valid[event_id].get('errorType', 'redriven')})" if event_id in dead_valid else "")
            + ("never audited" if event_id not in events_by_id else "")
            for event_id in lost
        )
        for event_id, why in planned.items():
            assert event_id in distinct, f"the plan names {event_id} unprocessable, but it is not a delivered event"
            assert event_id in dead_valid, f"{event_id} was planned unprocessable ({why}) but not set aside"
            assert dead_valid[event_id].get("errorType") == "RequestRefusedError", (
                f"{event_id} ({why}) was set aside as {dead_valid[event_id].get('errorType', 'redriven')}, "
                "not by the function with the refusal"
            )
        for event_id, found in events_by_id.items():
            assert len(found) == 1, f"event {event_id} has {len(found)} audit records"
            assert event_id in distinct, f"an audit record for an event never delivered as valid: {event_id}"
        # Invalid events write nothing, publish nothing, and are set aside at once with their error.
        for event in invalid:
            assert event["id"] not in events_by_id and event["id"] not in published
        assert set(rejected) == {event["id"] for event in invalid}, f"dead-lettered: {sorted(rejected)}"
        assert all(attributes.get("errorType") == "InvalidEventError" for attributes in rejected.values())
        processed = {
            event_id: event
            for event_id, event in distinct.items()
            if event_id in events_by_id and event_id not in planned
        }
        _check_latest_states(list(processed.values()), events_by_id, latest_by_partition)
        duplicates, allowed = _check_notifications(run, list(processed.values()), events_by_id, published, notified)
        for event_id in published:
            assert event_id in distinct, f"published an event that is not a valid delivered one: {event_id}"
    except AssertionError:
        STATS.failed_checks += 1
        raise
    return Verdict(
        lost,
        as_planned,
        duplicates,
        allowed,
        published=sum(published.values()),
        items=items,
        budget_envelopes=budget_envelopes,
    )


def _what(event: dict[str, Any]) -> str:
    return str(event["detail"].get("status", event["detail"].get("eventName")))


def _check_latest_states(
    processed: Sequence[dict[str, Any]],
    events_by_id: dict[str, list[dict[str, Any]]],
    latest_by_partition: dict[str, dict[str, Any]],
) -> None:
    """Each task's latest state: the highest-ranked status seen, with every fact any event learned."""
    task_events = [event for event in processed if event.get("detail-type", TASK_STATE_CHANGE) == TASK_STATE_CHANGE]
    tasks = {event["detail"]["quantumTaskArn"] for event in task_events}
    for arn in tasks:
        history = [events_by_id[e["id"]][0] for e in task_events if e["detail"]["quantumTaskArn"] == arn]
        latest = latest_by_partition.get(f"TASK#{arn}")
        assert latest is not None, f"{arn}: no latest state"
        highest = max(history, key=lambda record: rank(record["status"]))
        assert latest["status"] == highest["status"], f"{arn}: latest {latest['status']}, seen {highest['status']}"
        assert latest["eventTime"] == highest["eventTime"]
        statuses = {record["status"] for record in history}
        if "RUNNING" in statuses and highest["status"] in NOTIFY_STATUSES:
            # The terminal event's query found RUNNING, or the late RUNNING event filled the split.
            assert "runningSeconds" in latest.get("timings", {}), f"{arn}: the queued/running split is missing"
        for name in TASK_FACTS:
            known = [record[name] for record in history if name in record]
            if known:
                assert latest.get(name) == known[0], f"{arn}: latest state lacks {name} that an event learned"


def _check_notifications(
    run: FaultRun,
    processed: Sequence[dict[str, Any]],
    events_by_id: dict[str, list[dict[str, Any]]],
    published: collections.Counter[str],
    notified: Callable[[dict[str, Any]], bool | None],
) -> tuple[dict[str, int], dict[str, str]]:
    """Notifications: at least once; more only once per fault on the event's own publish or SENT mark
    that excuses a repeat; never after its SENT mark was written."""
    plan = run.plan
    assert not plan.published_after_mark, f"published after its SENT mark was written: {plan.published_after_mark}"
    duplicates, allowed = {}, {}
    for event in processed:
        event_id, what = event["id"], _what(event)
        item = events_by_id[event_id][0]
        expected = notified(event)
        if expected is False:
            assert published[event_id] == 0, f"{event_id} ({what}) was published"
            continue
        if expected is None and published[event_id] == 0:
            continue
        assert published[event_id] >= 1, f"{event_id} ({what}) was never published"
        excuses = plan.excused.get(event_id, [])
        if item["notification"] != "SENT":
            assert excuses, f"{event_id} ({what}) left {item['notification']} with no fault on its publish or mark"
        if published[event_id] > 1:
            duplicates[event_id] = published[event_id] - 1
            assert published[event_id] <= plan.allowed_publishes(event_id), (
                f"{event_id} ({what}) was published {published[event_id]} times; "
                f"{plan.allowed_publishes(event_id)} allowed "
                f"({', '.join(excuses) or 'no fault on its own publish or SENT mark'})"
            )
            allowed[event_id] = ", ".join(sorted(set(excuses)))
    return duplicates, allowed


def record_stats(run: FaultRun, verdict: Verdict, valid: Sequence[dict[str, Any]], name: str) -> None:
    STATS.runs[name] += 1
    STATS.injected.update(run.plan.injected)
    STATS.events += len({event["id"] for event in valid})
    STATS.duplicates += sum(verdict.duplicates.values())
    STATS.notifications += verdict.published
    for event_id, count in verdict.duplicates.items():
        STATS.allowed_duplicates[verdict.allowed[event_id]] += count


def fault_run(environment: FaultEnvironment, plan: FaultPlan) -> FaultRun:
    return FaultRun(environment, plan)


def check_budget_crossings(
    run: FaultRun,
    verdict: Verdict,
    totals: dict[tuple[str, str], str],
    crossings: set[str],
    *,
    possible: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Budgets after a run (see docs/budgets.md): each month total exactly the sum of its tasks' final
    estimates, the creators' sub-totals adding up to it; each crossing in ``crossings`` published at
    least once and more only once per fault on its own publish or SENT mark, never after its mark;
    no other crossing published but those ``possible`` (reached by a total only some interleavings see).
    Raises AssertionError on a breach (counted in ``STATS``)."""
    from decimal import Decimal

    plan = run.plan
    STATS.checks += 1
    try:
        found: dict[tuple[str, str], Decimal] = {}
        subtotals: dict[tuple[str, str], Decimal] = collections.defaultdict(Decimal)
        for item in verdict.items:
            if not item["pk"].startswith("BUDGET#"):
                continue
            key = (item["budget"], item["month"])
            if item["sk"] == "TOTAL":
                found[key] = Decimal(str(item["amountUsd"]))
                assert item["tasks"] >= 0 and item["unpricedTasks"] >= 0, f"{key}: a count went negative"
            elif item["sk"].startswith("CREATOR#"):
                subtotals[key] += Decimal(str(item["amountUsd"]))
        for key, expected in totals.items():
            assert found.get(key, Decimal(0)) == Decimal(expected), f"{key}: total {found.get(key)}, not {expected}"
            assert subtotals.get(key, Decimal(0)) == Decimal(expected), f"{key}: sub-totals {subtotals.get(key)}"
        published = collections.Counter(envelope["Record"]["eventId"] for envelope in verdict.budget_envelopes)
        assert crossings <= set(published) <= crossings | possible, (
            f"crossings published {sorted(published)}, expected {sorted(crossings)} (or also {sorted(possible)})"
        )
        assert not set(plan.published_after_mark) & crossings, "a crossing was published after its SENT mark"
        for crossing, count in published.items():
            assert count <= plan.allowed_publishes(crossing), (
                f"{crossing} published {count} times; {plan.allowed_publishes(crossing)} allowed "
                f"({', '.join(plan.excused.get(crossing, [])) or 'no fault on its own publish or mark'})"
            )
            if count > 1:
                STATS.allowed_duplicates[", ".join(sorted(set(plan.excused[crossing])))] += count - 1
                STATS.duplicates += count - 1
        STATS.notifications += sum(published.values())
    except AssertionError:
        STATS.failed_checks += 1
        raise
