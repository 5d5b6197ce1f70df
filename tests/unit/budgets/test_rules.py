"""The pure budget rules: matching, the month, the differences and the thresholds."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from task_monitor.domain.budgets.model import parse_budgets
from task_monitor.domain.budgets.rules import (
    Contribution,
    amount_of,
    changes,
    contributions,
    desired_applied,
    month_of,
    reached_thresholds,
    top_spenders,
)

ROLE = "arn:aws:iam::123456789012:role/QubitWrangler"
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
BUDGETS = parse_budgets(
    [
        {"name": "qc", "by": "tag", "match": "project=qc", "monthlyUsd": "10", "thresholds": [50, 100]},
        {"name": "marisol", "by": "creator", "match": ROLE, "monthlyUsd": "5"},
        {"name": "forte", "by": "device", "match": FORTE, "monthlyUsd": "20"},
    ]
)


def _state(**fields):
    return {
        "status": "COMPLETED",
        "eventTime": "2026-12-01T00:00:05.000Z",
        "createdAt": "2026-11-30T23:59:59.900Z",
        "deviceArn": FORTE,
        "tags": {"project": "qc"},
        "createdBy": {"principal": ROLE},
        "estimatedCost": {"amountUsd": "1.10"},
        **fields,
    }


def test_a_task_counts_in_the_month_of_its_creation_in_utc_else_of_its_event() -> None:
    assert month_of(_state()) == "2026-11"
    assert month_of(_state(createdAt="2026-12-01T00:30:00+01:00")) == "2026-11"
    assert month_of(_state(createdAt=None)) == "2026-12"


def test_it_matches_each_budget_by_tag_creator_and_device() -> None:
    assert set(contributions(BUDGETS, _state())) == {"qc", "marisol", "forte"}
    assert set(contributions(BUDGETS, _state(tags={"project": "other"}))) == {"marisol", "forte"}
    assert set(contributions(BUDGETS, _state(createdBy={"principal": "unknown"}))) == {"qc", "forte"}
    assert set(contributions(BUDGETS, _state(deviceArn=FORTE + "x", tags={}))) == {"marisol"}
    assert contributions(BUDGETS, {"createdBy": {"principal": ROLE}}) == {}  # a call joined, no state yet


def test_an_unknown_price_contributes_nothing_and_is_counted() -> None:
    assert amount_of(_state(estimatedCost={"basis": "no price for this device"})) is None
    assert amount_of(_state(estimatedCost={"amountUsd": 1.1})) is None  # never a float
    (change,) = [c for c in changes({}, contributions(BUDGETS[:1], _state(estimatedCost={}))) if c.creator is None]
    assert (change.amount_usd, change.tasks, change.unpriced_tasks) == (0, 1, 1)


def test_a_changed_estimate_applies_only_the_difference() -> None:
    before = contributions(BUDGETS[:1], _state(status="QUEUED", estimatedCost={"amountUsd": "3.30"}))
    after = contributions(BUDGETS[:1], _state(estimatedCost={"amountUsd": "1.10"}))
    total, creator = changes(before, after)
    assert (total.creator, total.amount_usd, total.tasks) == (None, Decimal("-2.20"), 0)
    assert (creator.creator, creator.amount_usd) == (ROLE, Decimal("-2.20"))
    assert changes(after, after) == []


def test_a_late_creator_moves_the_amount_between_sub_totals_and_adds_the_creator_budget() -> None:
    unknown = contributions(BUDGETS, _state(createdBy={"principal": "unknown"}))
    known = contributions(BUDGETS, _state())
    moved = {(c.budget, c.creator): c.amount_usd for c in changes(unknown, known)}
    assert moved == {
        ("qc", "unknown"): Decimal("-1.10"),
        ("qc", ROLE): Decimal("1.10"),
        ("forte", "unknown"): Decimal("-1.10"),
        ("forte", ROLE): Decimal("1.10"),
        ("marisol", None): Decimal("1.10"),
        ("marisol", ROLE): Decimal("1.10"),
    }


def test_a_budget_no_longer_configured_keeps_what_was_applied() -> None:
    gone = {"old": Contribution("2026-11", ROLE, Decimal(2))}
    assert desired_applied(BUDGETS, gone, {})["old"] == gone["old"]


def test_thresholds_are_reached_exactly_without_rounding() -> None:
    qc = BUDGETS[0]
    assert reached_thresholds(qc, Decimal("4.99")) == []
    assert reached_thresholds(qc, Decimal("5.00")) == [50]
    assert reached_thresholds(qc, Decimal("10")) == [50, 100]


def test_top_spenders_largest_first_and_only_those_who_spent() -> None:
    subtotals = {"a": Decimal(1), "b": Decimal(3), "c": Decimal(0), "d": Decimal(3)}
    assert top_spenders(subtotals, 2) == [("b", Decimal(3)), ("d", Decimal(3))]


amounts = st.none() | st.integers(0, 500).map(lambda cents: Decimal(cents) / 100)
contribution = st.builds(
    Contribution, st.sampled_from(["2026-11", "2026-12"]), st.sampled_from([ROLE, "unknown"]), amounts
)
applied_maps = st.dictionaries(st.sampled_from(["qc", "marisol", "forte"]), contribution)


@given(st.lists(applied_maps, min_size=1, max_size=6))
def test_differences_along_any_path_sum_to_the_last_state(path) -> None:
    """Applying the differences from nothing through any sequence of contributions leaves exactly the last."""
    totals: dict[tuple[str, str, str | None], list] = {}
    previous: dict = {}
    for current in path:
        for change in changes(previous, current):
            entry = totals.setdefault((change.budget, change.month, change.creator), [Decimal(0), 0, 0])
            entry[0] += change.amount_usd
            entry[1] += change.tasks
            entry[2] += change.unpriced_tasks
        previous = current
    expected: dict[tuple[str, str, str | None], list] = {}
    for budget, c in path[-1].items():
        for creator in (None, c.creator):
            entry = expected.setdefault((budget, c.month, creator), [Decimal(0), 0, 0])
            entry[0] += c.amount_usd or 0
            entry[1] += 1
            entry[2] += c.amount_usd is None
    nonzero = {key: value for key, value in totals.items() if value != [0, 0, 0]}
    assert nonzero == {key: value for key, value in expected.items() if value != [0, 0, 0]}
