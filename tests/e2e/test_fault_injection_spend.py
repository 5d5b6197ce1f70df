"""Spending-limit thresholds announced once per threshold, limit and period, under injected faults.

The same injector and runs as the other fault tests (``tests/support/fault_plan.py``, ``fault_runs.py``):
the real handler's SQS path, moto, one fault plan at a time, duplicates and concurrent invocations. The
story: a limit of $10 in November, spend growing 3.00 -> 5.50 -> 6.00 -> 8.20 -> 10.00, a late 5.10,
and two December events. Each run checks the project's guarantee (``check_guarantee``: nothing lost,
one audit record per event, a message repeated only where a fault on its own publish or mark excuses
it) and what this kind adds (``_check_thresholds``): in each period exactly the thresholds reached are
announced, each by exactly one event (so never twice, and never again by a late event), and the
limit's latest state is its highest-ranked event (a later period, then a higher total).
"""

from __future__ import annotations

import collections
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from task_monitor.domain.kinds.spending_limit.record import spend_rank
from task_monitor_devkit.builders.spending_limit import DECEMBER, LIMIT_ARN, NOVEMBER, spend_event
from tests.support.fault_plan import Fault, FaultPlan, kinds_for
from tests.support.fault_runs import FaultEnvironment, FaultRun, Verdict, check_guarantee, fault_run, record_stats

Event = dict[str, Any]
THRESHOLDS = (50, 80, 100)


def _at(minute: int) -> str:
    return f"2026-11-21T06:{minute:02d}:00Z"


UNDER = spend_event("3.00", time=_at(1))
HALF = spend_event("5.50", time=_at(2))
MORE = spend_event("6.00", time=_at(3))
EIGHTY = spend_event("8.20", time=_at(4))
FULL = spend_event("10.00", queued="0", time=_at(5))
LATE = spend_event("5.10", time=_at(6))  # sent after FULL, carrying an older total: a reordering by Braket
DEC_LOW = spend_event("1.00", period=DECEMBER, time="2026-12-02T06:00:00Z")
DEC_HIGH = spend_event("9.00", period=DECEMBER, time="2026-12-03T06:00:00Z")
STORY = [UNDER, HALF, MORE, EIGHTY, FULL, LATE, DEC_LOW, DEC_HIGH]


@pytest.fixture(scope="module")
def environment():
    with FaultEnvironment() as shared:
        yield shared


def _expected(events: list[Event]) -> dict[str, set[int]]:
    """The thresholds each period reached, over the events delivered."""
    reached: dict[str, set[int]] = collections.defaultdict(set)
    for event in events:
        detail = event["detail"]
        total, limit = Decimal(detail["totalSpend"]), Decimal(detail["spendingLimit"])
        period = detail["timePeriod"]
        reached[f"{period['startAt']}-{period['endAt']}"].update(t for t in THRESHOLDS if total * 100 >= limit * t)
    return reached


def _checked(run: FaultRun, events: list[Event]) -> Verdict:
    """The common guarantee and this kind's, on the messages subscribers received."""
    received = run.aws.subscriber_messages()
    with pytest.MonkeyPatch.context() as patch:  # check_guarantee reads the subscriber too: hand it the same
        patch.setattr(run.aws, "subscriber_messages", lambda queue_url=None: list(received))
        verdict = check_guarantee(run, events, [], notified=lambda event: None)
    _check_thresholds(received, verdict.items, events)
    return verdict


def _check_thresholds(received: list[dict[str, Any]], items: list[dict[str, Any]], events: list[Event]) -> None:
    announcers: dict[tuple[str, int], set[str]] = collections.defaultdict(set)
    for envelope in received:
        record = envelope["Record"]
        assert record["kind"] == "spending_limit"
        for threshold in record["thresholdsCrossed"]:
            announcers[(record["periodKey"], threshold)].add(record["eventId"])
    announced: dict[str, set[int]] = collections.defaultdict(set)
    for (period, threshold), by in announcers.items():
        assert len(by) == 1, f"{period}: {threshold} % announced by {len(by)} events"
        announced[period].add(threshold)
    assert dict(announced) == {period: found for period, found in _expected(events).items() if found}
    # The limit's latest state: its highest-ranked event (the later period, then the higher total).
    (latest,) = [item for item in items if item["pk"] == f"SPENDING_LIMIT#{LIMIT_ARN}" and item["sk"] == "LATEST"]
    audited = [item for item in items if item["sk"].startswith("EVENT#")]
    assert latest["eventId"] == max(audited, key=spend_rank)["eventId"]


def _run(environment: FaultEnvironment, faults: list[Fault], steps: list[tuple], name: str) -> None:
    plan = FaultPlan(faults)
    with fault_run(environment, plan) as run:
        for mode, chunk, detail in steps:
            if mode == "pair":
                run.run_pair(chunk, detail)
            else:
                run.deliver(*chunk)
                run.drain(batch_size=detail)
        run.drain()
        verdict = _checked(run, STORY)
    record_stats(run, verdict, STORY, name)


# -- 1. each fault on each call of the story, delivered in order with a duplicate of each crossing ---------
# Faults are scoped to the limit's partition (its event writes, marks, claims and threshold marks) or to
# the kind's notifications, and land on the first few such calls: nearly every one meets its call.
MATRIX = [
    Fault(operation, index, kind, times=2 if kind in ("throttle", "server_error") else 1, scope=scope)
    for operation, scope in (
        ("TransactWriteItems", "SPENDING_LIMIT"),
        ("UpdateItem", "SPENDING_LIMIT"),
        ("PutItem", "SPENDING_LIMIT"),
        ("Publish", "spending_limit"),
    )
    for index in (0, 2, 4)
    for kind in kinds_for(operation)
]


@pytest.mark.parametrize("fault", MATRIX, ids=lambda fault: f"{fault.operation}-{fault.index}-{fault.kind}")
def test_thresholds_are_announced_once_under_each_fault(environment, fault: Fault) -> None:
    steps = [("queue", [*STORY, HALF, EIGHTY, FULL], 3)]
    _run(environment, [fault], steps, "spend matrix")


# -- 2. any order, duplicates, concurrent invocations and faults: the property ---------------------------
SPEND_OPERATIONS = ("TransactWriteItems", "UpdateItem", "PutItem", "Publish")


@st.composite
def spend_faults(draw: st.DrawFn) -> Fault:
    operation = draw(st.sampled_from(SPEND_OPERATIONS))
    kind = draw(st.sampled_from(kinds_for(operation)))
    times = draw(st.integers(1, 3)) if kind in ("throttle", "server_error", "drop") else 1
    scope = draw(st.sampled_from([event["id"] for event in STORY])) if operation != "UpdateItem" else "SPENDING_LIMIT"
    return Fault(operation, draw(st.integers(0, 6 if operation == "UpdateItem" else 1)), kind, times, scope=scope)


@st.composite
def spend_stories(draw: st.DrawFn) -> dict[str, Any]:
    duplicates = draw(st.lists(st.sampled_from(STORY), max_size=4))
    sequence = draw(st.permutations(STORY + duplicates))
    steps, position = [], 0
    while position < len(sequence):
        size = draw(st.integers(1, 4))
        chunk, position = sequence[position : position + size], position + size
        if draw(st.integers(0, 2)) == 0:  # one chunk in three runs as two concurrent invocations
            steps.append(("pair", chunk, draw(st.lists(st.integers(0, 1), min_size=1, max_size=8))))
        else:
            steps.append(("queue", chunk, draw(st.sampled_from([1, 3, 10]))))
    return {"steps": steps, "faults": draw(st.lists(spend_faults(), max_size=3))}


@settings(max_examples=25, deadline=None)
@given(story=spend_stories())
def test_thresholds_are_announced_once_in_any_order_under_faults(environment, story: dict) -> None:
    _run(environment, story["faults"], story["steps"], "spend property")


def test_the_story_announces_each_threshold_once_in_order_with_nothing_injected(environment) -> None:
    """Without faults, in order: 50 % by HALF, 80 % by EIGHTY, 100 % by FULL, December's 80 % (and 50 %)
    by DEC_HIGH; UNDER, MORE, LATE and DEC_LOW announce nothing."""
    plan = FaultPlan([])
    with fault_run(environment, plan) as run:
        run.deliver(*STORY)
        run.drain(batch_size=1)
        received = run.aws.subscriber_messages()
    crossed = [(envelope["Record"]["eventId"], envelope["Record"]["thresholdsCrossed"]) for envelope in received]
    assert crossed == [
        (HALF["id"], [50]),
        (EIGHTY["id"], [80]),
        (FULL["id"], [100]),
        (DEC_HIGH["id"], [80, 50]),
    ]
    assert NOVEMBER != DECEMBER
