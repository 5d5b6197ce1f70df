"""What a cold start imports: the task pipeline, and no rare kind's modules until its first event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from task_monitor.domain import registry

ROOT = Path(__file__).resolve().parents[2]
KINDS_DIR = ROOT / "functions" / "task_monitor" / "domain" / "kinds"


def _modules_of(kind: registry.Kind) -> set[str]:
    """Every module in the kind's package (found on disk, so a module added to a kind is covered)."""
    folder = KINDS_DIR / kind.name
    return {f"{kind.package}.{path.stem}" for path in folder.glob("*.py") if path.stem != "__init__"}


# What only a rare kind needs (its package and its own adapters), from the registry.
RARE_KINDS_MODULES = {
    module for kind in registry.KINDS if not kind.at_cold_start for module in _modules_of(kind) | set(kind.adapters)
} | {"task_monitor.domain.ports"}  # the ports are Protocols, imported for type checking only
# Only events that notify render a notification, whatever their kind.
RENDERERS = {kind.part("renderer").partition(":")[0] for kind in registry.KINDS if "renderer" in kind.parts}


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
    cold = [kind for kind in registry.KINDS if kind.at_cold_start]
    assert cold and all(kind.part("monitor").partition(":")[0] in loaded for kind in cold)
    assert loaded & (RARE_KINDS_MODULES | RENDERERS) == set()


def test_a_cold_start_loads_no_powertools() -> None:
    """The function writes its own logs and EMF metrics (task_monitor.telemetry): Powertools' package
    __init__ alone (Logger, Metrics, Tracer, jmespath helpers) cost about 25 ms of every cold start."""
    loaded = _modules_after_cold_start()
    assert "task_monitor.telemetry" in loaded
    assert {name for name in loaded if name.split(".")[0] in {"aws_lambda_powertools", "typing_extensions"}} == set()


def test_the_rare_kinds_modules_are_found() -> None:
    """The sets above are not empty by accident: each rare kind has its monitor and parser among them."""
    for kind in registry.KINDS:
        if not kind.at_cold_start:
            assert kind.part("monitor").partition(":")[0] in RARE_KINDS_MODULES
            assert kind.part("parser").partition(":")[0] in RARE_KINDS_MODULES
    assert {"task_monitor.adapters.braket_jobs", "task_monitor.adapters.waiting_tasks"} <= RARE_KINDS_MODULES
