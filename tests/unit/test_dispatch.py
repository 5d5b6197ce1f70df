"""Dispatch by detail-type: each kind of Braket event to its own pipeline, anything else rejected."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor.domain.arrival import Arrival
from task_monitor.domain.dispatch import EventDispatcher
from task_monitor.errors import InvalidEventError
from task_monitor_devkit.builders.task import task_event
from tests.support.fakes import FROM_QUEUE


def _dispatcher(seen: list[tuple[str, Any]]) -> EventDispatcher:
    return EventDispatcher(
        {
            "Braket Task State Change": lambda event, arrival: seen.append(("task", event["id"], arrival.via)),  # type: ignore[func-returns-value]
            "Braket Job State Change": lambda event, arrival: seen.append(("job", event["id"], arrival.via)),  # type: ignore[func-returns-value]
        }
    )


def test_each_detail_type_goes_to_its_own_processor() -> None:
    seen: list[tuple[str, Any]] = []
    dispatcher = _dispatcher(seen)
    dispatcher.process(task_event("QUEUED", event_id="e1"), FROM_QUEUE)
    dispatcher.process({**task_event(event_id="e2"), "detail-type": "Braket Job State Change"}, Arrival.direct())
    assert seen == [("task", "e1", "queue"), ("job", "e2", "direct")]  # each with the arrival it was given


@pytest.mark.parametrize(
    ("event", "field", "problem"),
    [
        ([], "$", "expected a JSON object, got list"),
        ({**task_event(), "source": "aws.s3"}, "source", "expected 'aws.braket', got 'aws.s3'"),
        ({**task_event(), "detail-type": "Braket Spending Limit Spend Change"}, "detail-type", "got 'Braket Spending"),
        ({**task_event(), "detail-type": {"nested": "x" * 1000}}, "detail-type", "got a JSON object"),
    ],
)
def test_anything_else_is_invalid_and_reaches_no_processor(event: Any, field: str, problem: str) -> None:
    seen: list[tuple[str, Any]] = []
    with pytest.raises(InvalidEventError) as raised:
        _dispatcher(seen).process(event, FROM_QUEUE)
    assert raised.value.field == field and problem in raised.value.problem
    assert len(str(raised.value)) < 300 and seen == []
