"""cdk.json's cost settings in the template: price overrides and the simulator results read."""

from __future__ import annotations

import json

from aws_cdk import App
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.application import build
from tests.infra.conftest import app_context
from tests.infra.helpers import MONITOR_FUNCTION

MONITOR_HANDLER = MONITOR_FUNCTION["Properties"]["Handler"]

OVERRIDE = {
    "family": "jobInstance",
    "instanceType": "ml.m5.large",
    "region": "*",
    "perMinuteUsd": "0.0031",
    "source": "my price list",
    "confidence": "I",
}


def _function_and_policies(settings: dict) -> tuple[dict, str, App]:
    app = App(context=app_context(**settings, **{"aws:cdk:bundling-stacks": []}))
    monitor = build(app)
    template = Template.from_stack(monitor.main).to_json()
    (function,) = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == MONITOR_HANDLER
    ]
    policies = str([r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"])
    return function["Properties"]["Environment"]["Variables"], policies, app


def test_given_the_defaults_then_no_override_no_results_read_and_no_s3_access():
    variables, policies, _ = _function_and_policies({})
    assert "PRICE_OVERRIDES" not in variables and "SIMULATOR_EXACT_DURATION" not in variables
    assert "s3:GetObject" not in policies


def test_given_cost_settings_then_the_function_gets_them_and_only_the_result_buckets_read():
    variables, policies, app = _function_and_policies({"prices": [OVERRIDE], "simulatorExactDuration": True})
    assert json.loads(variables["PRICE_OVERRIDES"]) == [OVERRIDE]
    assert variables["SIMULATOR_EXACT_DURATION"] == "true"
    assert "'Sid': 'ReadSimulatorResults'" in policies and "s3:::amazon-braket-*-" in policies
    for pack in (AwsSolutionsChecks(), ServerlessChecks()):
        report = pack.validate_scope(app)
        assert report.success, [
            (v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations
        ]
