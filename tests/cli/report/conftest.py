"""The report's fixtures: the demo's tasks, as the pipeline really writes their latest states."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest


def run_demo_and_read_latest_states() -> list[dict[str, Any]]:
    """Every task's latest state after the demo's timeline went through the events queue, read from
    the embedded table with a scan (test-only: the CLI reads through the indexes)."""
    from task_monitor import audit_schema
    from task_monitor.adapters.audit_items import record_from_item
    from task_monitor.domain import registry
    from task_monitor_devkit.embedded import TABLE_NAME, EmbeddedAws
    from task_monitor_devkit.scenario import demo_settings, demo_timeline

    with EmbeddedAws(settings=demo_settings()) as aws:
        aws.load_handler()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for step in demo_timeline():
                step.prepare(aws.braket)
                aws.send(step.event())
        items: list[dict[str, Any]] = []
        for page in aws.dynamodb.get_paginator("scan").paginate(TableName=TABLE_NAME):
            items += page["Items"]
    return [
        record_from_item(item)
        for item in items
        if item[audit_schema.SORT_KEY]["S"] == audit_schema.LATEST_SORT_KEY
        and item[audit_schema.PARTITION_KEY]["S"].startswith(registry.TASK.key_prefix)
    ]


@pytest.fixture(scope="session")
def demo_latest_states() -> list[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.sleep", lambda seconds: None)  # the demo's retry backoffs, instant
        return run_demo_and_read_latest_states()
