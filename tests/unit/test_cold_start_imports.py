"""What a cold start imports: the task pipeline, and no rare kind's modules until its first event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RARE_KINDS_MODULES = {
    "task_monitor.domain.kinds.job.monitor",
    "task_monitor.domain.kinds.job.record",
    "task_monitor.domain.kinds.job.notification",
    "task_monitor.domain.kinds.job.name",
    "task_monitor.adapters.braket_jobs",
    "task_monitor.domain.kinds.device.monitor",
    "task_monitor.domain.kinds.device.notification",
    "task_monitor.adapters.waiting_tasks",
    "task_monitor.domain.kinds.api_call.monitor",
    "task_monitor.domain.kinds.api_call.event",
    "task_monitor.audit",
    # The ports are Protocols, imported for type checking only.
    "task_monitor.domain.ports",
}
# Only events that notify render a notification.
RENDERERS = {"task_monitor.domain.kinds.task.notification"}


def _modules_after_cold_start() -> set[str]:
    script = "import sys, json, task_monitor.handler; print(json.dumps(sorted(sys.modules)))"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "functions"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AUDIT_TABLE_NAME": "audit",
        "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications",
        "POWERTOOLS_METRICS_NAMESPACE": "Test",
    }
    output = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    return set(json.loads(output.stdout))


def test_a_cold_start_loads_the_task_pipeline_but_no_rare_kind_or_renderer() -> None:
    loaded = _modules_after_cold_start()
    assert "task_monitor.domain.kinds.task.monitor" in loaded
    assert loaded & (RARE_KINDS_MODULES | RENDERERS) == set()
