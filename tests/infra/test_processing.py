"""Processing: the function's runtime, sizing, configuration, asynchronous retries, tracing and logs."""

from __future__ import annotations

import re

import pytest
from aws_cdk import aws_lambda as lambda_

from task_monitor import telemetry_names
from tests.infra.helpers import MONITOR_FUNCTION, monitor_log_groups, only

pytestmark = pytest.mark.infra


def _function(template) -> tuple[str, dict]:
    logical_id, resource = only(template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    return logical_id, resource["Properties"]


def _newest_python_runtime() -> str:
    versions = []
    for name in dir(lambda_.Runtime):
        match = re.fullmatch(r"PYTHON_3_(\d+)", name)
        if match:
            versions.append(int(match[1]))
    return f"python3.{max(versions)}"


def test_given_the_function_then_it_runs_the_newest_python_aws_cdk_lib_knows_on_arm64(main_template):
    _, function = _function(main_template)

    assert function["Runtime"] == _newest_python_runtime() == "python3.14"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "task_monitor.handler.lambda_handler"


def test_given_the_function_then_memory_timeout_and_concurrency_are_the_chosen_ones(main_template):
    _, function = _function(main_template)

    assert function["MemorySize"] == 256
    assert function["Timeout"] == 60
    # Lambda lets a function reserve only down to 100 unreserved units: any reservation fails the deploy on
    # accounts whose quota is under 100 plus it. Concurrency is bounded by the event source mapping instead.
    assert "ReservedConcurrentExecutions" not in function


def test_given_the_function_then_its_environment_names_table_topic_statuses_and_telemetry(main_template):
    _, function = _function(main_template)
    table_id, _ = only(main_template.find_resources("AWS::DynamoDB::Table"))
    topic_ids = [
        logical_id
        for logical_id in main_template.find_resources("AWS::SNS::Topic")
        if logical_id.startswith("Notifications")
    ]

    assert function["Environment"]["Variables"] == {
        "AUDIT_TABLE_NAME": {"Ref": table_id},
        "NOTIFICATION_TOPIC_ARN": {"Ref": topic_ids[0]},
        "NOTIFY_STATUSES": "COMPLETED,FAILED,CANCELLED",
        "HISTORY_RETENTION_DAYS": "400",  # the safe defaults (domain/retention.py, docs/decisions.md)
        "CALLER_DETAILS_RETENTION_DAYS": "90",
        "NOTIFY_CALLER_DETAILS": "false",
        "SPENDING_LIMIT_THRESHOLDS": "25,75,100",  # tests/infra/conftest.py's
        "POWERTOOLS_SERVICE_NAME": telemetry_names.SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": telemetry_names.METRICS_NAMESPACE,
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "DEAD_LETTER_QUEUE_URL": function["Environment"]["Variables"]["DEAD_LETTER_QUEUE_URL"],  # see test_ingest
        "EVENTS_QUEUE_ARN": function["Environment"]["Variables"]["EVENTS_QUEUE_ARN"],  # see test_queue_senders
        "AWS_DATA_PATH": "/var/task/aws-models",
    }


def test_given_the_function_then_it_is_traced_and_logs_json_to_its_own_group_with_retention(main_template):
    _, function = _function(main_template)
    log_group_id, log_group = only(monitor_log_groups(main_template))

    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": {"Ref": log_group_id},
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "WARN",
    }
    assert log_group["Properties"]["RetentionInDays"] == 90
