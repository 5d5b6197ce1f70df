"""The budget step over an in-memory ledger: exactly once under any order and any duplicates, a late
creator counted, only the difference applied, each threshold announced once."""

from __future__ import annotations

import collections
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from task_monitor.domain.announce import Announcer
from task_monitor.domain.budgets.accounting import BudgetAccounting, BudgetRaceError
from task_monitor.domain.budgets.model import parse_budgets
from task_monitor.domain.status import rank
from tests.support.budget_fakes import MemoryLedger
from tests.support.fakes import FakePublisher

ROLE = "arn:aws:iam::123456789012:role/QubitWrangler"
OTHER = "arn:aws:iam::123456789012:user/tomasz"
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
BUDGETS = parse_budgets(
    [
        {"name": "qc", "by": "tag", "match": "project=qc", "monthlyUsd": "10", "thresholds": [50, 100]},
        {"name": "marisol", "by": "creator", "match": ROLE, "monthlyUsd": "5"},
        {"name": "forte", "by": "device", "match": FORTE, "monthlyUsd": "20"},
    ]
)


class Tasks:
    """Latest states as the audit store keeps them: a state moves only to a higher rank; a CloudTrail
    call names the creator on it (before or after any state)."""

    def __init__(self) -> None:
        self.latest: dict[str, dict[str, Any]] = {}

    def state(self, arn: str, state: dict[str, Any]) -> None:
        current = self.latest.setdefault(arn, {})
        if "status" in current and rank(current["status"]) >= rank(state["status"]):
            return
        creator = current.get("createdBy")
        current.update(state)
        if creator and creator["principal"] != "unknown":
            current["createdBy"] = creator

    def join(self, arn: str, principal: str) -> None:
        current = self.latest.setdefault(arn, {})
        if current.get("createdBy", {}).get("principal", "unknown") == "unknown":
            current["createdBy"] = {"principal": principal}


def _accounting(tasks: Tasks) -> tuple[BudgetAccounting, MemoryLedger, FakePublisher]:
    ledger = MemoryLedger(lambda arn: dict(tasks.latest[arn]) if arn in tasks.latest else None)
    publisher = FakePublisher()
    announcer = Announcer(publisher, claim_timeout_seconds=90, now=lambda: 0.0)
    return BudgetAccounting(BUDGETS, ledger, announcer, clock=lambda: "2026-12-02T00:00:00.000Z"), ledger, publisher


def _states(arn: str, requested: Decimal | None, final: Decimal | None, status: str, *, tags: dict, device: str):
    def cost(amount: Decimal | None) -> dict[str, str]:
        return {} if amount is None else {"amountUsd": str(amount)}

    base = {"quantumTaskArn": arn, "deviceArn": device, "tags": tags, "createdAt": "2026-12-01T10:00:00.000Z"}
    return [
        {**base, "status": "QUEUED", "eventTime": "2026-12-01T10:00:01.000Z", "estimatedCost": cost(requested)},
        {**base, "status": "RUNNING", "eventTime": "2026-12-01T10:00:02.000Z", "estimatedCost": cost(requested)},
        {**base, "status": status, "eventTime": "2026-12-01T10:00:03.000Z", "estimatedCost": cost(final)},
    ]


cents = st.integers(0, 400).map(lambda c: Decimal(c) / 100)
task_strategy = st.tuples(
    st.none() | cents,  # requested-shot estimate (None: price unknown)
    st.sampled_from(["COMPLETED", "FAILED", "CANCELLED"]),
    st.sampled_from([{"project": "qc"}, {}]),
    st.sampled_from([FORTE, "arn:aws:braket:::device/quantum-simulator/amazon/sv1"]),
    st.sampled_from([ROLE, OTHER, None]),  # the creator CloudTrail names, if any call comes
    st.integers(0, 100),  # successful share of the requested shots, in percent
)


@given(
    st.lists(task_strategy, min_size=1, max_size=4),
    st.data(),
)
def test_any_order_and_any_duplicates_leave_each_total_the_sum_of_final_amounts(specs, data) -> None:
    tasks = Tasks()
    accounting, ledger, publisher = _accounting(tasks)
    deliveries, final = [], {}
    for number, (requested, status, tags, device, creator, share) in enumerate(specs):
        arn = f"arn:aws:braket:us-east-1:123456789012:quantum-task/{number}"
        ended = None if requested is None else (requested * share / 100).quantize(Decimal("0.01"))
        ended = Decimal(0) if status != "COMPLETED" and ended is not None else ended
        states = _states(arn, requested, ended, status, tags=tags, device=device)
        deliveries += [("state", arn, state) for state in states]
        if creator:
            deliveries.append(("join", arn, creator))
        final[arn] = {**states[-1], "createdBy": {"principal": creator or "unknown"}}
    repeats = data.draw(st.lists(st.sampled_from(deliveries), max_size=6))
    order = data.draw(st.permutations(deliveries + repeats))
    for what, arn, value in order:
        if what == "state":
            tasks.state(arn, value)
        else:
            tasks.join(arn, value)
        accounting.account(arn)

    expected: dict[tuple[str, str], Decimal] = collections.defaultdict(Decimal)
    unpriced: dict[tuple[str, str], int] = collections.defaultdict(int)
    for state in final.values():
        for budget in BUDGETS:
            matched = {
                "tag": state["tags"].get("project") == "qc",
                "creator": state["createdBy"]["principal"] == ROLE,
                "device": state["deviceArn"] == FORTE,
            }[budget.by]
            if matched:
                amount = state["estimatedCost"].get("amountUsd")
                expected[(budget.name, "2026-12")] += Decimal(amount or 0)
                unpriced[(budget.name, "2026-12")] += amount is None
    for key, (amount, _tasks, unpriced_tasks) in ledger.totals.items():
        assert amount == expected.get(key, 0), key
        assert unpriced_tasks == unpriced.get(key, 0), key
        subtotal = sum(v for (b, m, _c), v in ledger.subtotals.items() if (b, m) == key)
        assert subtotal == amount, f"{key}: the creators' sub-totals add up to the total"
    assert {key for key, value in expected.items() if value} <= set(ledger.totals)

    announced = collections.Counter(n.json_body for n in publisher.sent)
    assert all(count == 1 for count in announced.values())
    ids = collections.Counter(item for item in ledger.crossings.items)
    for budget in BUDGETS:
        total = expected.get((budget.name, "2026-12"), Decimal(0))
        for percent in budget.thresholds:
            if total * 100 >= budget.monthly_usd * percent:
                assert f"budget:{budget.name}:2026-12:{percent}" in ids, "a threshold the total reached is announced"
    assert len(publisher.sent) == len(ledger.crossings.items), "each crossing published exactly once"


def test_a_newer_state_applied_meanwhile_is_never_overwritten_by_an_older_read() -> None:
    """The race the version guards: this delivery read the QUEUED estimate, another applied COMPLETED."""
    tasks = Tasks()
    arn = "arn:aws:braket:us-east-1:123456789012:quantum-task/race"
    queued, _, completed = _states(
        arn, Decimal("3.00"), Decimal("1.00"), "COMPLETED", tags={"project": "qc"}, device=FORTE
    )
    tasks.state(arn, queued)
    accounting, ledger, _ = _accounting(tasks)

    def the_other_delivery() -> None:
        tasks.state(arn, completed)
        accounting.account(arn)

    ledger.after_latest_read = the_other_delivery
    report = accounting.account(arn)
    assert report.retries == 1
    assert ledger.totals[("qc", "2026-12")][0] == Decimal("1.00")
    assert ledger.applied(arn).contributions["qc"].amount_usd == Decimal("1.00")


def test_nothing_changed_writes_nothing() -> None:
    tasks = Tasks()
    arn = "arn:aws:braket:us-east-1:123456789012:quantum-task/quiet"
    tasks.state(arn, _states(arn, Decimal(1), Decimal(1), "COMPLETED", tags={"project": "qc"}, device=FORTE)[-1])
    accounting, ledger, _ = _accounting(tasks)
    assert accounting.account(arn).totals_updated == 2  # qc and forte
    assert not accounting.account(arn).did_something
    assert ledger.writes == 1


def test_unpriced_is_counted_once_per_budget_not_per_event() -> None:
    tasks = Tasks()
    arn = "arn:aws:braket:us-east-1:123456789012:quantum-task/unpriced"
    accounting, _, _ = _accounting(tasks)
    counts = []
    for state in _states(arn, None, None, "COMPLETED", tags={"project": "qc"}, device=FORTE):
        tasks.state(arn, state)
        counts.append(accounting.account(arn).newly_unpriced)
    assert counts == [2, 0, 0]


def test_a_ledger_that_always_loses_the_race_fails_the_event_for_a_retry() -> None:
    tasks = Tasks()
    arn = "arn:aws:braket:us-east-1:123456789012:quantum-task/busy"
    tasks.state(arn, _states(arn, Decimal(1), Decimal(1), "COMPLETED", tags={"project": "qc"}, device=FORTE)[-1])
    accounting, ledger, _ = _accounting(tasks)
    ledger.apply = lambda *args: False  # type: ignore[method-assign]
    with pytest.raises(BudgetRaceError):
        accounting.account(arn)


def test_the_crossing_email_names_the_top_spenders_and_says_it_is_an_estimate() -> None:
    tasks = Tasks()
    accounting, _, publisher = _accounting(tasks)
    for number, (creator, amount) in enumerate([(ROLE, "3.00"), (OTHER, "2.50")]):
        arn = f"arn:aws:braket:us-east-1:123456789012:quantum-task/spender{number}"
        tasks.state(
            arn, _states(arn, Decimal(amount), Decimal(amount), "COMPLETED", tags={"project": "qc"}, device=FORTE)[-1]
        )
        tasks.join(arn, creator)
        accounting.account(arn)
    (crossing,) = [n for n in publisher.sent if '"budget": "qc"' in n.json_body]
    assert "50% of $10.00 reached in 2026-12" in crossing.subject
    text = crossing.email_text
    assert text.index(f"$3.00  {ROLE}") < text.index(f"$2.50  {OTHER}")
    assert "not a bill" in text and "Estimated spend  $5.50 in 2 task(s), approximate" in text
    assert crossing.attributes["kind"]["StringValue"] == "budget"
    assert crossing.attributes["thresholdPercent"] == {"DataType": "Number", "StringValue": "50"}
