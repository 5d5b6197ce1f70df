"""Fields a job or device event carried but could not be read: a metric by kind and a log line naming them."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor.domain.announce import Announcer
from task_monitor.domain.kinds.device.monitor import DeviceMonitor
from task_monitor.domain.kinds.job.monitor import JobMonitor
from task_monitor.domain.results import ProcessingResult
from task_monitor_devkit.builders.device import device_event
from task_monitor_devkit.builders.job import job_event
from tests.support.fakes import (
    FROM_QUEUE,
    FakeDeviceStore,
    FakeGetJob,
    FakeJobTasks,
    FakePublisher,
    FakeStore,
    FakeWaitingTasks,
)
from tests.support.telemetry import telemetry_of


def _announcer() -> Announcer:
    return Announcer(FakePublisher(), claim_timeout_seconds=90, now=lambda: 1_000_000.0)


def _job_result(event: dict[str, Any]) -> ProcessingResult:
    monitor = JobMonitor(
        FakeGetJob(),
        FakeStore(),
        FakeJobTasks(),
        _announcer(),
        notify_statuses=frozenset(),
        clock=lambda: "2026-11-23T16:02:12.000Z",
    )
    return monitor.process(event, FROM_QUEUE)


def _device_result(event: dict[str, Any]) -> ProcessingResult:
    return DeviceMonitor(FakeDeviceStore(), FakeWaitingTasks(), _announcer()).process(event, FROM_QUEUE)


def _ignored_metrics(metrics: list[dict[str, Any]]) -> list[tuple[str, list[float], list[list[str]]]]:
    return [
        (line["kind"], line["IgnoredEventFields"], line["_aws"]["CloudWatchMetrics"][0]["Dimensions"])
        for line in metrics
        if "IgnoredEventFields" in line
    ]


@pytest.mark.parametrize(
    ("result", "kind", "fields"),
    [
        (
            lambda: _job_result(job_event("RUNNING", startedAt=1763912679, jobName=["x"])),
            "job",
            ["detail.jobName", "detail.startedAt"],
        ),
        (lambda: _device_result(device_event("OFFLINE", deviceName=7)), "device", ["detail.deviceName"]),
    ],
    ids=["job", "device"],
)
def test_ignored_fields_are_counted_by_kind_and_named_in_a_warning(
    result, kind: str, fields: list[str], capsys
) -> None:
    processed = result()
    assert processed.record["ignoredFields"] == fields
    seen = telemetry_of(processed, capsys)
    metrics, logs = seen.metrics, seen.logs
    assert _ignored_metrics(metrics) == [(kind, [float(len(fields))], [["service", "kind"]])]
    (warning,) = [line for line in logs if line["message"] == "Event fields ignored"]
    assert warning["level"] == "WARNING" and warning["kind"] == kind and warning["ignoredFields"] == fields


@pytest.mark.parametrize(
    "result",
    [lambda: _job_result(job_event("RUNNING")), lambda: _device_result(device_event("offline"))],
    ids=["job", "device-lower-case-status"],
)
def test_an_event_read_whole_reports_no_ignored_fields(result, capsys) -> None:
    seen = telemetry_of(result(), capsys)
    metrics, logs = seen.metrics, seen.logs
    assert _ignored_metrics(metrics) == []
    assert not any(line["message"] == "Event fields ignored" for line in logs)
    assert any("JobEvents" in line or "DeviceEvents" in line for line in metrics)  # the event itself still counts
