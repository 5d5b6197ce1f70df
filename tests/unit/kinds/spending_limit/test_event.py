"""Parsing spend events: the published sample, what rejects (envelope, limit ARN, amounts), what is dropped."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from task_monitor.domain.kinds.spending_limit.event import parse_amount, parse_spend_change
from task_monitor.errors import InvalidEventError
from task_monitor_devkit.builders.spending_limit import LIMIT_ARN, NOVEMBER, spend_event

PUBLISHED = Path("/work/shared/events/published/spending-limit-spend-change.json")
SAMPLE = {
    "version": "0",
    "id": "c1a22f1f-3e86-46ea-87f9-0ca6f2234d83",
    "detail-type": "Braket Spending Limit Spend Change",
    "source": "aws.braket",
    "account": "123456789012",
    "time": "2028-02-29T12:00:00Z",
    "region": "us-west-2",
    "resources": [
        "arn:aws:braket:us-west-2:123456789012:spending-limit/b6951b86-8222-45b1-9908-2df6c3ac717d",
        "arn:aws:braket:us-west-2:123456789012:quantum-task/4cf7bd26-0eb7-44bf-bc3b-3d0d0bbdc6a2",
    ],
    "detail": {
        "quantumTaskArn": "arn:aws:braket:us-west-2:123456789012:quantum-task/4cf7bd26-0eb7-44bf-bc3b-3d0d0bbdc6a2",
        "deviceArn": "arn:aws:braket:us-west-2::device/qpu/amazon/example-device",
        "spendingLimit": "10.00",
        "spendingLimitArn": "arn:aws:braket:us-west-2:123456789012:spending-limit/b6951b86-8222-45b1-9908-2df6c3ac717d",
        "totalSpend": "5.00",
        "queuedSpend": "1.00",
        "timePeriod": {"startAt": 1764893800000, "endAt": 4922726400000},
    },
}


def test_the_sample_braket_published_parses_whole() -> None:
    """The Braket Developer Guide's sample (a copy, checked against the shared one when it is there)."""
    if PUBLISHED.is_file():
        assert json.loads(PUBLISHED.read_text()) == SAMPLE
    change = parse_spend_change(SAMPLE)
    assert change.spending_limit_arn == SAMPLE["detail"]["spendingLimitArn"]
    assert change.limit_region == "us-west-2"
    assert (change.spending_limit, change.total_spend, change.queued_spend) == (
        Decimal("10.00"),
        Decimal("5.00"),
        Decimal("1.00"),
    )
    # Epoch milliseconds, the end in 2126 (beyond the 2100 the other kinds' times are held to)
    assert change.period is not None and change.period.key == "1764893800000-4922726400000"
    assert change.period.field()["startAt"] == "2025-12-05T00:16:40.000Z"
    assert change.period.field()["endAt"] == "2125-12-30T00:00:00.000Z"
    assert change.task_arn and change.device_arn and change.ignored_fields == ()


def test_the_limit_arn_may_come_from_resources_alone() -> None:
    change = parse_spend_change(spend_event(arn_in_detail=False))
    assert change.spending_limit_arn == LIMIT_ARN


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"totalSpend": None}, "detail.totalSpend", "missing"),
        ({"totalSpend": 5.5}, "detail.totalSpend", "not an amount"),
        ({"totalSpend": "1e3"}, "detail.totalSpend", "not an amount"),
        ({"spendingLimit": "-3"}, "detail.spendingLimit", "not an amount"),
        ({"spendingLimit": True}, "detail.spendingLimit", "not an amount"),
        ({"spendingLimitArn": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"}, "detail.spendingLimitArn", "ARN"),
        ({"spendingLimitArn": 7}, "detail.spendingLimitArn", "not a spending limit ARN"),
    ],
)
def test_what_the_timeline_cannot_do_without_rejects_naming_the_field(changes, field, words) -> None:
    event = spend_event()
    for key, value in changes.items():
        if value is None:
            event["detail"].pop(key)
        else:
            event["detail"][key] = value
    with pytest.raises(InvalidEventError) as raised:
        parse_spend_change(event)
    assert raised.value.field == field and words in str(raised.value)


@pytest.mark.parametrize(
    ("changes", "ignored"),
    [
        ({"queuedSpend": "lots"}, "detail.queuedSpend"),
        ({"timePeriod": {"startAt": NOVEMBER[1], "endAt": NOVEMBER[0]}}, "detail.timePeriod"),
        ({"timePeriod": {"startAt": "2026-11-01T00:00:00Z", "endAt": "2026-12-01T00:00:00Z"}}, "detail.timePeriod"),
        ({"timePeriod": "November"}, "detail.timePeriod"),
        ({"deviceArn": "not a device"}, "detail.deviceArn"),
        ({"quantumTaskArn": 12}, "detail.quantumTaskArn"),
    ],
)
def test_an_optional_field_of_another_shape_is_dropped_and_named(changes, ignored) -> None:
    event = spend_event()
    event["detail"].update(changes)
    assert parse_spend_change(event).ignored_fields == (ignored,)


@given(st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False))
def test_every_decimal_string_amount_reads_back_exactly(amount: Decimal) -> None:
    assert parse_amount(str(amount)) == amount


def test_a_wrong_detail_type_is_rejected() -> None:
    event = spend_event()
    event["detail-type"] = "Braket Task State Change"
    with pytest.raises(InvalidEventError):
        parse_spend_change(event)
