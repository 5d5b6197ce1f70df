"""The scheduled price refresh (context ``priceRefreshSchedule``): its function, role, schedule, alarms
and dashboard line in the session's synthesis (the default, weekly); off, nothing of it at all."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, CfnResource

from infra.application import build
from infra.config import DEFAULT_PRICE_REFRESH_SCHEDULE, ConfigError, load_config
from infra.constructs.price_refresh import HANDLER
from task_monitor import telemetry_names as names
from tests.infra.conftest import cdk_json_context
from tests.infra.helpers import MONITOR_FUNCTION, as_list, get_att_arn, only, policy_statements

pytestmark = pytest.mark.infra

REFRESH_FUNCTION = {"Properties": {"Handler": HANDLER}}


def _refresh(main_template) -> tuple[str, dict]:
    return only(main_template.find_resources("AWS::Lambda::Function", REFRESH_FUNCTION))


def _table_id(main_template) -> str:
    (table_id,) = main_template.find_resources("AWS::DynamoDB::Table")
    return table_id


def test_given_the_default_then_a_function_of_the_same_asset_runs_the_refresh_handler(main_template):
    _, refresh = _refresh(main_template)
    _, monitor = only(main_template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    properties = refresh["Properties"]

    assert properties["Code"] == monitor["Properties"]["Code"]  # one asset, another handler
    assert properties["Runtime"] == monitor["Properties"]["Runtime"]
    assert properties["Environment"]["Variables"]["AUDIT_TABLE_NAME"] == {"Ref": _table_id(main_template)}
    assert properties["Environment"]["Variables"]["PRICING_REGION"] == "us-east-1"
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert properties["Role"] != monitor["Properties"]["Role"]


def test_given_the_refresh_role_then_it_reads_the_price_list_and_writes_only_the_prices_item(main_template):
    _, refresh = _refresh(main_template)
    role_id = refresh["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = policy_statements(main_template.to_json(), role_id)
    by_action = {action: statement for statement in statements for action in as_list(statement["Action"])}

    assert set(by_action) == {
        "pricing:GetProducts", "dynamodb:GetItem", "dynamodb:PutItem", "logs:CreateLogStream",
        "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
    }  # fmt: skip
    assert by_action["pricing:GetProducts"]["Resource"] == "*"  # it has no resource-level permissions
    table = by_action["dynamodb:PutItem"]
    assert table["Resource"] == get_att_arn(_table_id(main_template))
    assert table["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["PRICES"]}}
    log_group = refresh["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert by_action["logs:PutLogEvents"]["Resource"] == get_att_arn(log_group)


def test_given_the_default_schedule_then_a_weekly_rule_invokes_the_refresh_with_retries(main_template):
    refresh_id, _ = _refresh(main_template)
    schedules = [
        rule["Properties"]
        for rule in main_template.find_resources("AWS::Events::Rule").values()
        if "ScheduleExpression" in rule["Properties"]
    ]
    (rule,) = schedules
    (target,) = rule["Targets"]

    assert rule["ScheduleExpression"] == DEFAULT_PRICE_REFRESH_SCHEDULE == "rate(7 days)"
    assert target["Arn"] == get_att_arn(refresh_id)
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 6 * 3600}


def test_given_the_refresh_then_its_errors_and_its_rules_failures_alarm(main_template):
    refresh_id, _ = _refresh(main_template)
    alarms = [a["Properties"] for a in main_template.find_resources("AWS::CloudWatch::Alarm").values()]
    on_errors = [
        a for a in alarms if a.get("MetricName") == "Errors" and {"Name": "FunctionName", "Value": {"Ref": refresh_id}}
        in a["Dimensions"]
    ]  # fmt: skip
    assert len(on_errors) == 1 and on_errors[0]["Threshold"] == 1


def test_given_the_dashboard_then_it_shows_price_table_fallbacks_and_skipped_products(main_template):
    (dashboard,) = main_template.find_resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    assert names.PRICE_TABLE_FALLBACKS in body and names.PRICE_LIST_SKIPPED_PRODUCTS in body


@pytest.mark.parametrize("off", ["off", "OFF", False, "false"])
def test_given_the_refresh_off_then_there_is_no_refresh_function_and_no_schedule(off):
    app = App(context={**cdk_json_context(), "priceRefreshSchedule": off, "aws:cdk:bundling-stacks": []})

    monitor = build(app)

    assert monitor.config.price_refresh_schedule is None and monitor.main.price_refresh is None
    handlers = [
        node.handler for node in app.node.find_all() if isinstance(node, CfnResource)
        and node.cfn_resource_type == "AWS::Lambda::Function"
    ]  # fmt: skip
    assert handlers == ["task_monitor.handler.lambda_handler"]


@pytest.mark.parametrize(
    "expression", ["rate(7 days)", "rate(1 day)", "rate(12 hours)", "rate(90 minutes)", "cron(0 3 ? * MON *)"]
)
def test_given_a_schedule_expression_then_it_is_kept(expression):
    assert load_config({"priceRefreshSchedule": expression}).price_refresh_schedule == expression


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("weekly", "is not an EventBridge schedule expression"),
        ("", "is not an EventBridge schedule expression"),
        ("rate(1 days)", "singular unit for 1"),
        ("rate(7 day)", "singular unit for 1"),
        ("rate(5 minutes)", "more often than hourly"),
        ("cron(0 3 * *)", "is not an EventBridge schedule expression"),
        (7, "is not a schedule expression"),
    ],
)
def test_given_a_bad_schedule_then_the_error_names_the_key_and_the_fix(value, problem):
    with pytest.raises(ConfigError, match="priceRefreshSchedule") as raised:
        load_config({"priceRefreshSchedule": value})
    assert problem in str(raised.value) or "rate(7 days)" in str(raised.value)
    assert problem in str(raised.value)


def test_given_no_setting_then_the_refresh_is_weekly_and_cdk_json_says_so():
    assert load_config({}).price_refresh_schedule == "rate(7 days)"
    context = cdk_json_context()
    assert context["priceRefreshSchedule"] == "rate(7 days)"
    assert any(line.startswith("priceRefreshSchedule:") for line in context["//"])


REFRESH_FROM_ASSET = """
import json, os, sys
asset, tools = sys.argv[1], sys.argv[2]
sys.path.append(tools)  # the emulated Price List and moto come from the checkout, never from the asset
import botocore.session
from moto import mock_aws
from task_monitor import audit_schema
from task_monitor_devkit.price_list_emulator import PriceListEmulator
with mock_aws(), PriceListEmulator().running():
    dynamodb = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(**audit_schema.create_table_request(os.environ["AUDIT_TABLE_NAME"]))
    from task_monitor import price_refresh
    summary = price_refresh.lambda_handler({"source": "aws.events"}, None)
watched = ("aws_lambda_powertools", "task_monitor")
elsewhere = sorted(
    name for name, module in list(sys.modules.items())
    if name.split(".")[0] in watched and getattr(module, "__file__", None) and not module.__file__.startswith(asset)
)
print(json.dumps({"summary": summary, "elsewhere": elsewhere}))
"""


def test_given_the_refresh_run_from_the_asset_then_it_stores_a_table_and_loads_nothing_from_elsewhere(
    function_asset_dir,
):
    import os
    import subprocess
    import sys

    from tests.infra.conftest import ROOT

    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(function_asset_dir),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AUDIT_TABLE_NAME": "audit",
        "PRICING_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "braket-task-monitor",
        "POWERTOOLS_METRICS_NAMESPACE": "BraketTaskMonitor",
    }
    result = subprocess.run(
        [sys.executable, "-s", "-B", "-c", REFRESH_FROM_ASSET, str(function_asset_dir), str(ROOT / "tools")],
        capture_output=True, text=True, env=environment, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["summary"]["stored"] is True and report["summary"]["entries"] == 8
    assert report["elsewhere"] == []
