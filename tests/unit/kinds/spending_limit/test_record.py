"""The spend record: amounts as Braket's strings, the threshold reached, and the latest state's order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from task_monitor.domain.kinds.spending_limit.event import parse_spend_change
from task_monitor.domain.kinds.spending_limit.record import build_spend_record, highest_threshold, spend_rank
from task_monitor_devkit.builders.spending_limit import DECEMBER, NOVEMBER, spend_event


def _record(total: str, **kwargs):
    return build_spend_record(parse_spend_change(spend_event(total, **kwargs)))


def test_the_record_keeps_amounts_as_decimal_strings_with_their_basis() -> None:
    record = _record("8.10")
    assert (record["spendingLimit"], record["totalSpend"], record["queuedSpend"]) == ("10.00", "8.10", "1.00")
    assert record["currency"] == "USD" and "not a bill" in record["basis"]
    assert record["percentOfLimit"] == "81.0" and record["thresholdReached"] == 80
    assert record["status"] == "WITHIN_LIMIT" and record["periodKey"] == f"{NOVEMBER[0]}-{NOVEMBER[1]}"
    assert not any(isinstance(value, float) for value in record.values())


@pytest.mark.parametrize(
    ("total", "reached", "status"),
    [
        ("0", None, "WITHIN_LIMIT"),
        ("4.99", None, "WITHIN_LIMIT"),
        ("5.00", 50, "WITHIN_LIMIT"),
        ("7.999", 50, "WITHIN_LIMIT"),
        ("8", 80, "WITHIN_LIMIT"),
        ("10.00", 100, "LIMIT_REACHED"),
        ("12.5", 100, "LIMIT_REACHED"),
    ],
)
def test_the_threshold_reached_is_the_highest_at_or_under_the_total(total, reached, status) -> None:
    record = _record(total)
    assert record.get("thresholdReached") == reached and record["status"] == status


def test_a_zero_limit_has_no_thresholds() -> None:
    assert highest_threshold(Decimal("3"), Decimal("0"), (50, 80, 100)) is None
    assert "percentOfLimit" not in _record("3", limit="0")


amounts = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)


@given(amounts, amounts)
def test_within_a_period_the_order_follows_total_spend(first: Decimal, second: Decimal) -> None:
    ranks = (
        spend_rank({"totalSpend": str(first), "timePeriod": {"startAtEpochMs": NOVEMBER[0]}}),
        spend_rank({"totalSpend": str(second), "timePeriod": {"startAtEpochMs": NOVEMBER[0]}}),
    )
    assert (ranks[0] < ranks[1]) == (first < second) and (ranks[0] == ranks[1]) == (first == second)


@given(amounts, amounts)
def test_a_later_period_supersedes_any_spend_of_an_earlier_one(earlier: Decimal, later: Decimal) -> None:
    november = spend_rank({"totalSpend": str(earlier), "timePeriod": {"startAtEpochMs": NOVEMBER[0]}})
    december = spend_rank({"totalSpend": str(later), "timePeriod": {"startAtEpochMs": DECEMBER[0]}})
    assert december > november > 0
    assert december < 10**38  # a DynamoDB number


def test_an_event_with_no_period_ranks_below_every_dated_one_but_is_never_unknown() -> None:
    undated = spend_rank({"totalSpend": "0"})
    assert undated == 1 < spend_rank({"totalSpend": "0", "timePeriod": {"startAtEpochMs": NOVEMBER[0]}})
