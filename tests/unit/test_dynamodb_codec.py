"""The function's own DynamoDB value codec (it avoids importing boto3)."""

from __future__ import annotations

import math

import pytest

from task_monitor.adapters.dynamodb_codec import from_item, to_item


def test_plain_values_round_trip() -> None:
    values = {
        "s": "text",
        "empty": "",
        "i": 1000,
        "neg": -3,
        "f": 9675.88,
        "b": True,
        "n": None,
        "m": {"queue": "QUANTUM_TASKS_QUEUE", "position": ">2000"},
        "l": [{"arn": "x", "type": "RESERVATION_TIME_WINDOW_ARN"}, 1, "two"],
    }
    assert from_item(to_item(values)) == values


def test_ints_stay_ints() -> None:
    assert isinstance(from_item(to_item({"shots": 1000}))["shots"], int)


@pytest.mark.parametrize("bad", [math.nan, math.inf, object(), {1, 2}])
def test_unstorable_values_are_refused(bad) -> None:
    with pytest.raises((TypeError, ValueError)):
        to_item({"x": bad})
