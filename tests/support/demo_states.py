"""The demo's tasks as the pipeline really writes them: every task's latest state after the demo.

Used by the report's tests and by ``tests/support/report_sample.py`` (the README's picture).
"""

from __future__ import annotations

import contextlib
import io
from typing import Any


def run_demo_and_read_latest_states() -> list[dict[str, Any]]:
    """Every task's latest state after the demo's timeline went through the events queue, read from
    the embedded table with a scan (test-only: the CLI reads through the indexes). Callers make
    ``time.sleep`` instant if they want the demo's retry backoffs skipped."""
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
    task_prefix = registry.TASK.key_prefix or "TASK#"
    return [
        record_from_item(item)
        for item in items
        if item[audit_schema.SORT_KEY]["S"] == audit_schema.LATEST_SORT_KEY
        and item[audit_schema.PARTITION_KEY]["S"].startswith(task_prefix)
    ]
