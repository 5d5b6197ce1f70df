"""BUDGETS in the function's environment: validated at the cold start, and nothing of budgets imported
when none are configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from task_monitor.errors import ConfigurationError
from task_monitor.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
BASE = {"AUDIT_TABLE_NAME": "audit", "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications"}
BUDGETS = json.dumps([{"name": "qc", "by": "tag", "match": "project=qc", "monthlyUsd": "500"}])


def test_no_budgets_unless_set_and_a_bad_value_names_the_variable() -> None:
    assert Settings.from_environment(BASE).budgets == ()
    assert Settings.from_environment({**BASE, "BUDGETS": "[]"}).budgets == ()
    assert Settings.from_environment({**BASE, "BUDGETS": BUDGETS}).budgets[0].name == "qc"
    with pytest.raises(ConfigurationError, match=r"BUDGETS: budget #1 \(qc\): by must be one of"):
        Settings.from_environment({**BASE, "BUDGETS": BUDGETS.replace('"tag"', '"team"')})


def _loaded(**extra: str) -> set[str]:
    script = "import sys, json, task_monitor.handler; print(json.dumps(sorted(sys.modules)))"
    env = {
        **{k: v for k, v in os.environ.items() if k != "BUDGETS"},
        "PYTHONPATH": str(ROOT / "functions"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_NAMESPACE": "Test",
        **BASE,
        **extra,
    }
    output = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    return set(json.loads(output.stdout))


def test_a_cold_start_without_budgets_imports_nothing_of_them_and_with_budgets_no_renderer() -> None:
    def budget_modules(loaded: set[str]) -> set[str]:
        return {m for m in loaded if m.startswith("task_monitor.domain.budgets") or m.endswith("budget_ledger")}

    assert budget_modules(_loaded()) == set()
    with_budgets = budget_modules(_loaded(BUDGETS=BUDGETS))
    assert {"task_monitor.domain.budgets.accounting", "task_monitor.adapters.budget_ledger"} <= with_budgets
    assert "task_monitor.domain.budgets.notification" not in with_budgets  # only a crossing renders
