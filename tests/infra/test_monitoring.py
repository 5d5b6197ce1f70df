"""Monitoring: the alarm topic, the alarms that call a person, and the dashboard."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk.assertions import Match

from infra.config import STATUSES
from task_monitor import telemetry_names as names
from task_monitor.domain import registry
from tests.infra.helpers import MONITOR_FUNCTION, only, rules_by_role

pytestmark = pytest.mark.infra


def _alarm_topic_id(template) -> str:
    (topic_id,) = [
        logical_id
        for logical_id, topic in template.find_resources("AWS::SNS::Topic").items()
        if topic["Properties"].get("DisplayName") == "Braket task monitor alarms"
    ]
    return topic_id


def _alarms(template) -> list[dict]:
    return [alarm["Properties"] for alarm in template.find_resources("AWS::CloudWatch::Alarm").values()]


def _alarm_on(template, metric_name: str, dimension: dict) -> list[dict]:
    return [
        alarm
        for alarm in _alarms(template)
        if alarm.get("MetricName") == metric_name and dimension in alarm.get("Dimensions", [])
    ]


def test_given_every_alarm_then_it_notifies_the_alarm_topic_when_firing_and_recovering(main_template):
    topic_id = _alarm_topic_id(main_template)

    assert len(_alarms(main_template)) == 7 + 2  # and the price refresh's errors and rule
    for alarm in _alarms(main_template):
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["OKActions"] == [{"Ref": topic_id}]
        assert alarm["TreatMissingData"] == "notBreaching"


def test_given_the_function_then_errors_alarm_at_once_and_throttles_after_fifteen_minutes(main_template):
    function_id, _ = only(main_template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    dimension = {"Name": "FunctionName", "Value": {"Ref": function_id}}

    (errors,) = _alarm_on(main_template, "Errors", dimension)
    (throttles,) = _alarm_on(main_template, "Throttles", dimension)

    assert (errors["Statistic"], errors["Threshold"], errors["EvaluationPeriods"]) == ("Sum", 1, 1)
    assert errors["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert (throttles["Statistic"], throttles["Threshold"], throttles["Period"]) == ("Sum", 1, 300)
    assert throttles["EvaluationPeriods"] == throttles["DatapointsToAlarm"] == 3


def _events_queue_id(template) -> str:
    _, rule = rules_by_role(template.to_json())["state"]
    return rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]


def test_given_both_dead_letter_queues_then_each_alarms_when_it_holds_a_message(main_template):
    _, rule = rules_by_role(main_template.to_json())["state"]
    events_queue = main_template.to_json()["Resources"][_events_queue_id(main_template)]["Properties"]
    queues = {
        rule["Properties"]["Targets"][0]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0],
        events_queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0],
    }

    for queue_id in queues:
        dimension = {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}
        (alarm,) = _alarm_on(main_template, "ApproximateNumberOfMessagesVisible", dimension)
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Maximum", 1)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_given_each_rule_then_failed_invocations_alarm(main_template):
    for rule_id, _ in rules_by_role(main_template.to_json()).values():
        (alarm,) = _alarm_on(main_template, "FailedInvocations", {"Name": "RuleName", "Value": {"Ref": rule_id}})

        assert alarm["Namespace"] == "AWS/Events"
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 1)


OWN_ALARMS = {
    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    "ArnLike": {
        "aws:SourceArn": {"Fn::Join": ["", ["arn:aws:cloudwatch:us-east-1:", {"Ref": "AWS::AccountId"}, ":alarm:*"]]}
    },
}


def _notification_topic_key_id(template) -> str:
    (key_id,) = [
        topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
        for topic in template.find_resources("AWS::SNS::Topic").values()
        if topic["Properties"].get("DisplayName") == "Braket task notifications"
    ]
    return key_id


def test_given_the_main_stack_then_it_has_one_customer_key_shared_by_the_notification_and_alarm_topics(
    main_template,
):
    resources = main_template.to_json()["Resources"]
    alarm_topic = resources[_alarm_topic_id(main_template)]["Properties"]
    key_id = _notification_topic_key_id(main_template)

    assert list(main_template.find_resources("AWS::KMS::Key")) == [key_id]
    assert alarm_topic["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert resources[key_id]["Properties"]["EnableKeyRotation"] is True


def test_given_the_shared_key_then_cloudwatch_may_use_it_without_conditions_as_aws_documents(main_template):
    key = main_template.to_json()["Resources"][_notification_topic_key_id(main_template)]["Properties"]

    (statement,) = [s for s in key["KeyPolicy"]["Statement"] if s.get("Sid") == "CloudWatchAlarmsEncrypt"]

    # Conditions would have to hold on the KMS request an alarm action makes, where AWS documents none.
    assert statement == {
        "Sid": "CloudWatchAlarmsEncrypt",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
    }


def test_given_the_alarm_topic_then_it_is_tls_only_and_open_to_this_accounts_alarms_in_this_region(main_template):
    main_template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": _alarm_topic_id(main_template)}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                        Match.object_like(
                            {
                                "Sid": "CloudWatchAlarmsPublish",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "sns:Publish",
                                "Condition": OWN_ALARMS,
                            }
                        ),
                    ]
                )
            },
        },
    )


def test_given_the_events_queue_then_an_event_waiting_fifteen_minutes_alarms(main_template):
    dimension = {"Name": "QueueName", "Value": {"Fn::GetAtt": [_events_queue_id(main_template), "QueueName"]}}

    (alarm,) = _alarm_on(main_template, "ApproximateAgeOfOldestMessage", dimension)

    assert (alarm["Statistic"], alarm["Threshold"], alarm["EvaluationPeriods"]) == ("Maximum", 900, 1)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_given_an_alarm_email_then_it_is_subscribed_to_the_alarm_topic(main_template):
    main_template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"TopicArn": {"Ref": _alarm_topic_id(main_template)}, "Protocol": "email", "Endpoint": "oncall@example.org"},
    )


def _dashboard_body(template) -> str:
    """The dashboard JSON with CloudFormation references replaced by their names."""
    _, dashboard = only(template.find_resources("AWS::CloudWatch::Dashboard"))
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    return "".join(part if isinstance(part, str) else json.dumps(part).replace('"', "'") for part in parts)


def _widgets(template) -> dict[str, dict]:
    body = json.loads(_dashboard_body(template))
    return {widget["properties"]["title"]: widget["properties"] for widget in body["widgets"]}


def test_given_the_dashboard_then_it_shows_events_by_status_notifications_errors_queue_wait_and_health(main_template):
    widgets = _widgets(main_template)

    assert {
        "Task events by status",
        "Notifications published",
        "Enrichment errors",
        "Queue wait by device (seconds, average)",
        "Function: invocations, errors, throttles",
        "Function duration (ms)",
        "Events queue: waiting, and the oldest (seconds)",
        "Events set aside for a person",
        "Alarms",
    } <= set(widgets)


def test_given_events_set_aside_then_refused_events_are_shown_next_to_invalid_ones(main_template):
    metrics = _widgets(main_template)["Events set aside for a person"]["metrics"]
    named = [metric[1] for metric in metrics if metric[0] == names.METRICS_NAMESPACE]

    assert named == [names.INVALID_EVENTS, names.REFUSED_EVENTS, names.FAILED_EVENTS]
    assert names.REFUSED_EVENTS == "RefusedEvents"


def test_given_events_by_status_then_one_line_per_task_status_with_the_service_dimension(main_template):
    metrics = _widgets(main_template)["Task events by status"]["metrics"]

    assert [metric[:6] for metric in metrics] == [
        [names.METRICS_NAMESPACE, names.TASK_EVENTS, "service", names.SERVICE_NAME, names.STATUS_DIMENSION, status]
        for status in STATUSES
    ]
    assert set(STATUSES) == {"CREATED", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED"}


def test_given_queue_wait_by_device_then_a_search_expression_finds_every_device(main_template):
    (metric,) = _widgets(main_template)["Queue wait by device (seconds, average)"]["metrics"]
    expression = metric[0]["expression"]

    assert expression == (
        'SEARCH(\'{BraketTaskMonitor,device,service} MetricName="QueueWaitSeconds" '
        "service=\"braket-task-monitor\"', 'Average', 300)"
    )


def test_given_notifications_and_errors_then_their_metrics_carry_the_service_dimension(main_template):
    widgets = _widgets(main_template)

    assert widgets["Notifications published"]["metrics"][0][:4] == [
        names.METRICS_NAMESPACE,
        names.NOTIFICATIONS,
        "service",
        names.SERVICE_NAME,
    ]
    assert [names.METRICS_NAMESPACE, names.ENRICHMENT_ERRORS, "service", names.SERVICE_NAME] in [
        metric[:4] for metric in widgets["Enrichment errors"]["metrics"]
    ]


def test_given_job_and_device_events_of_unpublished_shape_then_their_ignored_fields_are_shown_by_kind(main_template):
    metrics = _widgets(main_template)["Enrichment errors"]["metrics"]

    assert [_metric(row) for row in metrics if names.IGNORED_EVENT_FIELDS in row] == [
        (
            names.METRICS_NAMESPACE,
            names.IGNORED_EVENT_FIELDS,
            {"service": names.SERVICE_NAME, names.KIND_DIMENSION: kind},
        )
        for kind in ("job", "device")
    ]


def test_given_the_new_event_kinds_then_the_dashboard_body_names_every_metric_the_function_reports_for_them(
    main_template,
):
    body = _dashboard_body(main_template)

    for metric in (
        names.JOB_EVENTS,
        names.DEVICE_EVENTS,
        names.API_CALLS,
        names.UNJOINED_API_CALLS,
        names.DEVICE_NOTIFICATIONS,
    ):
        assert f'"{metric}"' in body, metric


def test_given_job_events_then_one_line_per_job_status_of_getjobs_model_plus_their_total(main_template):
    import botocore.session

    from infra.constructs.monitoring import JOB_STATUSES

    widget = _widgets(main_template)["Hybrid job events by status"]
    job_status_enum = botocore.session.get_session().get_service_model("braket").shape_for("JobPrimaryStatus").enum

    assert list(JOB_STATUSES) == job_status_enum
    by_status = [metric[:6] for metric in widget["metrics"] if len(metric) >= 6 and metric[4] == names.STATUS_DIMENSION]
    assert by_status == [
        [names.METRICS_NAMESPACE, names.JOB_EVENTS, "service", names.SERVICE_NAME, names.STATUS_DIMENSION, status]
        for status in JOB_STATUSES
    ]
    assert [names.METRICS_NAMESPACE, names.JOB_EVENTS, "service", names.SERVICE_NAME] in [
        metric[:4] for metric in widget["metrics"]
    ]


def test_given_device_events_then_their_total_each_status_found_and_availability_notifications_are_shown(
    main_template,
):
    metrics = _widgets(main_template)["Device and QPU status changes"]["metrics"]
    expressions = [metric[0]["expression"] for metric in metrics if isinstance(metric[0], dict)]

    assert [names.METRICS_NAMESPACE, names.DEVICE_EVENTS, "service", names.SERVICE_NAME] in [m[:4] for m in metrics]
    assert [names.METRICS_NAMESPACE, names.DEVICE_NOTIFICATIONS, "service", names.SERVICE_NAME] in [
        m[:4] for m in metrics
    ]
    assert expressions == [
        'SEARCH(\'{BraketTaskMonitor,status,service} MetricName="DeviceEvents" '
        "service=\"braket-task-monitor\"', 'Sum', 300)"
    ]


def _metric(row: list) -> tuple[str, str, dict]:
    """A dashboard metric row [namespace, name, dimension, value, ..., {options}] as (namespace, name, dimensions)."""
    fields = [field for field in row if not isinstance(field, dict)]
    return fields[0], fields[1], dict(zip(fields[2::2], fields[3::2], strict=True))


def test_given_api_calls_then_one_line_per_joined_call_by_its_call_dimension_and_the_unjoined_ones(main_template):
    from task_monitor.domain.detail_types import JOINED_API_CALLS

    metrics = _widgets(main_template)["Braket API calls (CloudTrail)"]["metrics"]

    assert [_metric(row) for row in metrics if names.API_CALLS in row] == [
        (names.METRICS_NAMESPACE, names.API_CALLS, {"service": names.SERVICE_NAME, names.CALL_DIMENSION: call})
        for call in JOINED_API_CALLS
    ]
    assert [names.METRICS_NAMESPACE, names.UNJOINED_API_CALLS, "service", names.SERVICE_NAME] in [
        m[:4] for m in metrics
    ]


def test_given_every_stack_then_each_of_its_rules_has_a_failed_invocations_alarm(main_template, forwarder_templates):
    for template in (main_template, *forwarder_templates.values()):
        rules = set(template.find_resources("AWS::Events::Rule"))
        watched = {
            dimension["Value"]["Ref"]
            for alarm in _alarms(template)
            if alarm.get("MetricName") == "FailedInvocations"
            for dimension in alarm["Dimensions"]
            if dimension["Name"] == "RuleName"
        }
        assert rules and watched == rules


@pytest.mark.parametrize("kind", registry.KINDS, ids=lambda kind: kind.name)
def test_given_the_registry_then_every_kind_has_a_widget_of_its_events_and_shows_each_of_its_metrics(
    main_template, kind
):
    body, widgets = _dashboard_body(main_template), _widgets(main_template)

    def plotted(widget: dict) -> set[str]:
        series = [*widget.get("metrics", []), *widget.get("left", []), *widget.get("right", [])]
        return {metric[1] for metric in series if isinstance(metric, list) and len(metric) > 1}

    assert any(kind.events_metric in plotted(widget) for widget in widgets.values()), kind.events_metric
    for metric in kind.metrics:
        assert re.search(rf"\b{metric}\b", body), metric


def test_given_the_cost_metrics_then_the_dashboard_shows_spend_by_device_and_creator_and_unpriced_tasks(main_template):
    widgets = _widgets(main_template)
    by_device = widgets["Estimated spend by device (USD, list price)"]["metrics"]
    by_creator = widgets["Estimated spend by creator (USD, list price)"]["metrics"]

    def searches(metrics: list) -> list[str]:
        return [metric[0]["expression"] for metric in metrics if isinstance(metric[0], dict)]

    for metrics, dimension in ((by_device, names.DEVICE_DIMENSION), (by_creator, names.CREATOR_DIMENSION)):
        (search,) = searches(metrics)
        assert f"{{{names.METRICS_NAMESPACE},{dimension},service}}" in search
        assert f'MetricName="{names.ESTIMATED_SPEND}"' in search and "'Sum'" in search
    assert [names.METRICS_NAMESPACE, names.UNPRICED_TASKS, "service", names.SERVICE_NAME] in [m[:4] for m in by_device]
