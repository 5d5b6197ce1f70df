"""Ingest: the rule on the main region's default bus, its Lambda target, retries and dead-letter queue."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from infra.braket_events import BRAKET_SOURCE, TASK_STATE_CHANGE
from tests.infra.helpers import get_att_arn, only

pytestmark = pytest.mark.infra


def _rule(template: Template) -> dict:
    return only(template.find_resources("AWS::Events::Rule"))[1]["Properties"]


def test_given_the_main_stack_then_one_rule_on_the_default_bus_matches_braket_task_state_changes(main_template):
    rule = _rule(main_template)

    assert "EventBusName" not in rule  # the default bus, where Braket sends task events
    assert rule["State"] == "ENABLED"
    assert rule["EventPattern"] == {"source": [BRAKET_SOURCE], "detail-type": [TASK_STATE_CHANGE]}


def test_given_the_rule_pattern_then_it_pins_no_region_or_account_so_forwarded_events_match(main_template):
    pattern = _rule(main_template)["EventPattern"]

    assert "region" not in pattern
    assert "account" not in pattern


def test_given_the_rule_target_then_it_is_the_function_with_maximal_retries_and_a_dead_letter_queue(main_template):
    function_id, _ = only(main_template.find_resources("AWS::Lambda::Function"))
    (target,) = _rule(main_template)["Targets"]

    assert target["Arn"] == get_att_arn(function_id)
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
    queue_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    assert main_template.to_json()["Resources"][queue_id]["Type"] == "AWS::SQS::Queue"


def test_given_the_rule_then_eventbridge_may_invoke_the_function_only_from_that_rule(main_template):
    rule_id, _ = only(main_template.find_resources("AWS::Events::Rule"))
    function_id, _ = only(main_template.find_resources("AWS::Lambda::Function"))

    main_template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": get_att_arn(function_id),
            "Principal": "events.amazonaws.com",
            "SourceArn": get_att_arn(rule_id),
        },
    )


def test_given_the_rule_dead_letter_queue_then_it_is_encrypted_tls_only_and_writable_by_the_rule_only(main_template):
    rule_id, rule = only(main_template.find_resources("AWS::Events::Rule"))
    queue_id = rule["Properties"]["Targets"][0]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    queue = main_template.to_json()["Resources"][queue_id]["Properties"]

    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    main_template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "sqs:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Action": "sqs:SendMessage",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Condition": {"ArnEquals": {"aws:SourceArn": get_att_arn(rule_id)}},
                            }
                        ),
                    ]
                )
            },
        },
    )
