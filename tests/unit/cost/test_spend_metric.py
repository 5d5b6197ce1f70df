"""Estimated spend by device and by creator, once per ended task; unpriced tasks counted."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor import telemetry_names as names
from task_monitor.domain.announce import Announcer
from task_monitor.domain.kinds.task.monitor import TaskMonitor
from task_monitor.domain.ports import SaveOutcome
from task_monitor.domain.results import ProcessingResult
from task_monitor_devkit.builders.task import description, task_event
from tests.support.fakes import FROM_QUEUE, FakeBraket, FakePublisher, FakeStore
from tests.support.telemetry import telemetry_of

UNKNOWN_DEVICE = "arn:aws:braket:us-east-1::device/qpu/nobody/Nothing"


def _result(status: str, *, outcome: SaveOutcome = SaveOutcome.RECORDED, **fields: Any) -> ProcessingResult:
    device = fields.pop("device", None)
    event = task_event(status, device=device) if device else task_event(status)
    answer = description(status, device=device, **fields) if device else description(status, **fields)
    monitor = TaskMonitor(
        FakeBraket(answer),
        FakeStore(outcome),
        Announcer(FakePublisher(), claim_timeout_seconds=90, now=lambda: 1.0),
        frozenset(),
        clock=lambda: "2026-11-20T12:00:00.000Z",
    )
    return monitor.process(event, FROM_QUEUE)


def _value(document: dict[str, Any], metric: str) -> float:
    value = document[metric]
    return float(value[0] if isinstance(value, list) else value)


def _documents(result: ProcessingResult, capsys: pytest.CaptureFixture[str], metric: str) -> list[dict[str, Any]]:
    return [doc for doc in telemetry_of(result, capsys).metrics if metric in doc]


def test_an_ended_task_reports_its_estimate_by_device_and_by_creator(capsys) -> None:
    documents = _documents(_result("COMPLETED", numSuccessfulShots=100), capsys, names.ESTIMATED_SPEND)
    assert [_value(doc, names.ESTIMATED_SPEND) for doc in documents] == [8.3, 8.3]
    assert [doc.get(names.DEVICE_DIMENSION) or doc.get(names.CREATOR_DIMENSION) for doc in documents] == [
        "ionq/Forte-1",
        "unknown",  # the fake store knows no creator
    ]
    dimension_sets = [doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"] for doc in documents]
    assert dimension_sets == [[["service", names.DEVICE_DIMENSION]], [["service", names.CREATOR_DIMENSION]]]


@pytest.mark.parametrize("status", ["QUEUED", "RUNNING"])
def test_a_task_not_ended_reports_no_spend(status: str, capsys) -> None:
    assert _documents(_result(status), capsys, names.ESTIMATED_SPEND) == []


def test_a_duplicate_ending_reports_nothing_twice(capsys) -> None:
    assert _documents(_result("COMPLETED", outcome=SaveOutcome.DUPLICATE), capsys, names.ESTIMATED_SPEND) == []


def test_a_failed_task_reports_zero_spend(capsys) -> None:
    documents = _documents(_result("FAILED"), capsys, names.ESTIMATED_SPEND)
    assert [_value(doc, names.ESTIMATED_SPEND) for doc in documents] == [0.0, 0.0]


def test_an_unpriced_task_is_counted_not_reported_as_spend(capsys) -> None:
    result = _result("COMPLETED", device=UNKNOWN_DEVICE)
    assert "amountUsd" not in result.record["estimatedCost"]
    telemetry = telemetry_of(result, capsys)
    assert not [doc for doc in telemetry.metrics if names.ESTIMATED_SPEND in doc]
    assert [_value(doc, names.UNPRICED_TASKS) for doc in telemetry.metrics if names.UNPRICED_TASKS in doc] == [1.0]
