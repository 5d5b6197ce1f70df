"""The function's own JSON logger and EMF writer: the lines and documents Powertools wrote before.

The comparison tests run Powertools (still a development dependency) and ``task_monitor.telemetry``
on the same calls and compare what each wrote, but for the time-dependent fields.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from task_monitor.telemetry import (
    MAX_METRICS_PER_DOCUMENT,
    MAX_VALUES_PER_METRIC,
    EmfMetrics,
    JsonLogger,
    MetricUnit,
    log_level_from,
)

TIME_DEPENDENT = ("timestamp", "location")  # the location differs: each test calls from its own line


class Context:
    function_name = "braket-task-monitor"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:braket-task-monitor"
    aws_request_id = "5e3ca2d8-8c8f-4a4b-b1a4-0a2c9a1f2b51"


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _without_time(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in line.items() if key not in TIME_DEPENDENT} for line in lines]


def _log_a_session(logger: Any, correlation_path: dict[str, str]) -> None:
    """What the function's observers do with a logger, in one invocation and outside one."""

    @logger.inject_lambda_context(**correlation_path)
    def handler(event: Any, context: Any) -> None:
        logger.info("Processed task event", extra={"eventId": "e-1", "notified": True, "cost": {"amountUsd": "0.3"}})
        logger.set_correlation_id("message-2")
        logger.warning("Event fields ignored", extra={"kind": "job", "ignoredFields": ["a"], "messageId": None})
        logger.error("AWS refused", extra={"service": "sns", "errorCode": "InvalidParameter"})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("Event failed; SQS will redeliver it", extra={"errorType": "ValueError"})
        logger.debug("not written at INFO")

    handler({"id": "event-1"}, Context())
    handler([], Context())  # not an object: no correlation id
    logger.info("after the invocations")


@pytest.fixture
def trace_id(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
    monkeypatch.delenv("AWS_LAMBDA_LOG_LEVEL", raising=False)
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "INFO")
    return "1-5759e988-bd862e3fe1be46a994272793"


def test_log_lines_are_powertools_lines(trace_id: str) -> None:
    from aws_lambda_powertools.logging import Logger

    theirs, ours = io.StringIO(), io.StringIO()
    _log_a_session(Logger(service="compare-logs", stream=theirs), {"correlation_id_path": "id"})
    _log_a_session(JsonLogger("compare-logs", stream=ours), {"correlation_id_key": "id"})

    expected, written = _lines(theirs), _lines(ours)
    assert len(written) == 9
    for mine, powertools in zip(written, expected, strict=True):
        assert list(mine)[:4] == ["level", "location", "message", "timestamp"]
        # The exception's text and frames name this file's lines, which differ between the two sessions.
        for key in ("exception", "stack_trace"):
            assert (key in mine) == (key in powertools)
            mine.pop(key, None), powertools.pop(key, None)
    assert _without_time(written) == _without_time(expected)
    assert written[0]["cold_start"] is True and written[4]["cold_start"] is False
    assert written[0]["xray_trace_id"] == trace_id
    assert written[2]["service"] == "sns"  # an extra key of that name wins, as it did


def test_a_line_says_where_it_was_logged_and_the_exception() -> None:
    stream = io.StringIO()
    logger = JsonLogger("svc", level="INFO", stream=stream)
    try:
        {}["missing"]
    except KeyError:
        logger.exception("failed")
    (line,) = _lines(stream)
    assert line["location"].startswith("test_a_line_says_where_it_was_logged_and_the_exception:")
    assert line["exception_name"] == "KeyError" and "Traceback" in line["exception"]
    assert line["stack_trace"]["frames"][-1]["statement"] == '{}["missing"]'
    assert line["timestamp"].endswith("+0000") and line["timestamp"][19] == ","


@pytest.mark.parametrize(
    ("environment", "level"),
    [
        ({}, "INFO"),
        ({"POWERTOOLS_LOG_LEVEL": "debug"}, "DEBUG"),
        ({"LOG_LEVEL": "ERROR"}, "ERROR"),
        ({"POWERTOOLS_LOG_LEVEL": "CRITICAL", "LOG_LEVEL": "DEBUG"}, "CRITICAL"),
        ({"AWS_LAMBDA_LOG_LEVEL": "WARN", "POWERTOOLS_LOG_LEVEL": "DEBUG"}, "WARNING"),
        ({"AWS_LAMBDA_LOG_LEVEL": "FATAL"}, "CRITICAL"),
        ({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}, "NOTSET"),
    ],
)
def test_the_level_is_lambdas_then_powertools_then_info(environment: dict[str, str], level: str) -> None:
    assert log_level_from(environment) == level


def test_the_logger_reads_its_level_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_LOG_LEVEL", raising=False)
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
    stream = io.StringIO()
    logger = JsonLogger("svc", stream=stream)
    logger.info("dropped")
    logger.warning("kept")
    assert [line["message"] for line in _lines(stream)] == ["kept"]
    logger.setLevel("info")
    logger.info("kept too")
    assert len(_lines(stream)) == 2


@contextlib.contextmanager
def _printed(capsys: pytest.CaptureFixture[str]) -> Iterator[list[dict[str, Any]]]:
    documents: list[dict[str, Any]] = []
    capsys.readouterr()
    yield documents
    documents.extend(json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{"))


def _without_timestamp(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "_aws": {**document["_aws"], "Timestamp": 0}}


def test_emf_documents_are_powertools_documents(capsys: pytest.CaptureFixture[str]) -> None:
    from aws_lambda_powertools.metrics import Metrics, single_metric
    from aws_lambda_powertools.metrics import MetricUnit as TheirUnit

    theirs = Metrics(namespace="BraketTaskMonitor", service="braket-task-monitor")
    with _printed(capsys) as expected:
        with single_metric(
            name="QueueWaitSeconds", unit=TheirUnit.Seconds, value=9675.88, namespace="BraketTaskMonitor"
        ) as metric:
            metric.add_dimension(name="service", value="braket-task-monitor")
            metric.add_dimension(name="device", value="ionq/Forte-1")
        theirs.add_metric(name="TaskEvents", unit=TheirUnit.Count, value=1)
        theirs.add_metric(name="EstimatedSpendUsd", unit=TheirUnit.NoUnit, value=0.3)
        theirs.add_metric(name="TaskEvents", unit=TheirUnit.Count, value=2)
        theirs.flush_metrics()
    ours = EmfMetrics("BraketTaskMonitor", "braket-task-monitor")
    with _printed(capsys) as written:
        ours.single_metric("QueueWaitSeconds", MetricUnit.Seconds, 9675.88, {"device": "ionq/Forte-1"})
        ours.add_metric("TaskEvents", MetricUnit.Count, 1)
        ours.add_metric("EstimatedSpendUsd", MetricUnit.NoUnit, 0.3)
        ours.add_metric("TaskEvents", MetricUnit.Count, 2)
        ours.flush_metrics()
        ours.flush_metrics()  # nothing more: nothing printed

    assert len(written) == 2
    assert [_without_timestamp(doc) for doc in written] == [_without_timestamp(doc) for doc in expected]
    assert written[1]["TaskEvents"] == [1.0, 2.0] and written[1]["EstimatedSpendUsd"] == [0.3]


def test_log_metrics_flushes_when_the_handler_raises(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = EmfMetrics("NS", "svc")

    @metrics.log_metrics
    def handler(event: Any, context: Any) -> None:
        metrics.add_metric("FailedEvents", MetricUnit.Count, 1)
        raise RuntimeError("failed")

    with _printed(capsys) as written, pytest.raises(RuntimeError):
        handler({}, None)
    assert [doc["FailedEvents"] for doc in written] == [[1.0]]


@pytest.mark.parametrize("value", [True, "1", None, [1]])
def test_a_metric_value_must_be_a_number(value: Any) -> None:
    with pytest.raises(TypeError, match="Count"):
        EmfMetrics("NS", "svc").add_metric("Count", MetricUnit.Count, value)


@given(st.lists(st.tuples(st.integers(0, 150), st.integers(0, 5)), max_size=400))
def test_every_value_goes_out_once_within_cloudwatchs_limits(additions: list[tuple[int, int]]) -> None:
    """However many metrics and values, each is printed once, in order, and no document passes the
    100 metrics or 100 values CloudWatch takes in one."""
    documents: list[dict[str, Any]] = []
    metrics = EmfMetrics("NS", "svc", write=lambda text: documents.append(json.loads(text)))
    for name, value in additions:
        metrics.add_metric(f"M{name}", MetricUnit.Count, value)
    metrics.flush_metrics()

    sent: dict[str, list[float]] = {}
    for document in documents:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        names = [metric["Name"] for metric in directive["Metrics"]]
        assert 0 < len(names) <= MAX_METRICS_PER_DOCUMENT and directive["Dimensions"] == [["service"]]
        assert document["service"] == "svc"
        for name in names:
            assert 0 < len(document[name]) <= MAX_VALUES_PER_METRIC
            sent.setdefault(name, []).extend(document[name])
    expected: dict[str, list[float]] = {}
    for name, value in additions:
        expected.setdefault(f"M{name}", []).append(float(value))
    assert sent == expected
