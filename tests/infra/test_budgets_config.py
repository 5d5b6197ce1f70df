"""Budgets in cdk.json: checked before any construct is built, passed to the function as BUDGETS, and
shown on the dashboard."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from infra.application import build
from infra.config import ConfigError, load_config
from task_monitor import telemetry_names as names
from task_monitor.settings import Settings
from tests.infra.conftest import app_context, cdk_json_context
from tests.infra.helpers import MONITOR_FUNCTION

pytestmark = pytest.mark.infra

BUDGET = {"name": "qc-team", "by": "tag", "match": "project=qc", "monthlyUsd": "500", "thresholds": [50, 80, 100]}

MONITOR_HANDLER = MONITOR_FUNCTION["Properties"]["Handler"]


def test_given_cdk_json_then_there_are_no_budgets_and_the_help_line_names_the_setting() -> None:
    assert load_config(cdk_json_context()).budgets == ()
    assert any(line.startswith("budgets: ") for line in cdk_json_context()["//"])


def test_given_budgets_as_json_text_from_the_command_line_then_they_parse() -> None:
    (budget,) = load_config({"budgets": json.dumps([BUDGET])}).budgets
    assert (budget.name, budget.by, budget.match, str(budget.monthly_usd)) == ("qc-team", "tag", "project=qc", "500")


@pytest.mark.parametrize(
    ("budget", "hint"),
    [
        ({**BUDGET, "by": "team"}, "by must be one of creator, tag, device"),
        ({**BUDGET, "monthlyUsd": 500}, "monthlyUsd must be a decimal string"),
        ({**BUDGET, "thresholds": [50, 50]}, "thresholds repeat"),
    ],
)
def test_given_a_bad_budget_then_the_error_names_the_key_and_the_budget(budget, hint: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"budgets": [budget]})
    assert raised.value.key == "budgets"
    assert "budget #1 (qc-team)" in str(raised.value) and hint in str(raised.value)


def test_given_budgets_then_the_function_gets_them_and_the_dashboard_shows_their_metrics() -> None:
    app = App(context=app_context(budgets=[BUDGET], **{"aws:cdk:bundling-stacks": []}))
    template = Template.from_stack(build(app).main).to_json()
    (function,) = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == MONITOR_HANDLER
    ]
    environment = function["Properties"]["Environment"]["Variables"]
    settings = Settings.from_environment(
        {
            "AUDIT_TABLE_NAME": "braket-task-audit",
            "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications",
            "BUDGETS": environment["BUDGETS"],
        }
    )
    assert settings.budgets == load_config({"budgets": [BUDGET]}).budgets
    dashboard = json.dumps(template)
    for metric in (names.BUDGET_UPDATES, names.BUDGET_THRESHOLDS_CROSSED, names.UNPRICED_TASKS_IN_BUDGETS):
        assert metric in dashboard
