"""What ``observability.record_result`` writes for one result: its log lines and its EMF metric documents."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pytest

from task_monitor import observability


@dataclass(frozen=True)
class Telemetry:
    text: str  # everything written, logs and metrics, as a reader of the function's output sees it
    logs: list[dict[str, Any]]  # the JSON log lines
    metrics: list[dict[str, Any]]  # the EMF documents (each has ``_aws``)

    @property
    def lines(self) -> list[dict[str, Any]]:
        return self.logs + self.metrics


def telemetry_of(result: Any, capsys: pytest.CaptureFixture[str]) -> Telemetry:
    """Record one result as the function does, then flush, and return what came out."""
    stream, logger = io.StringIO(), observability.logger
    previous = logger.registered_handler.stream
    logger.registered_handler.setStream(stream)
    try:
        observability.record_result(result)
        observability.metrics.flush_metrics()
    finally:
        logger.registered_handler.setStream(previous)
    printed = capsys.readouterr().out
    documents = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    logs = [json.loads(line) for line in stream.getvalue().splitlines()]
    return Telemetry(stream.getvalue() + printed, logs, [doc for doc in documents if "_aws" in doc])
