"""Ingest: the rule on the default bus, the events queue it fills, and the event source mapping draining it."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.braket_events import api_call_pattern, reduced_call_transformer, state_change_pattern
from tests.infra.helpers import MONITOR_FUNCTION, as_list, get_att_arn, only, rules_by_role

pytestmark = pytest.mark.infra


def _rule(template: Template, role: str = "state") -> dict:
    return rules_by_role(template.to_json())[role][1]["Properties"]


def test_given_the_main_stack_then_two_rules_on_the_default_bus_match_every_braket_event_kind(main_template):
    account: Any = {"Ref": "AWS::AccountId"}
    for role, pattern in (("state", state_change_pattern(account)), ("calls", api_call_pattern(account))):
        rule = _rule(main_template, role)
        assert "EventBusName" not in rule  # the default bus, where Braket and CloudTrail send events
        # ENABLED, not ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: the Braket calls taken are writes.
        assert rule["State"] == "ENABLED"
        assert rule["EventPattern"] == pattern  # their matching: test_event_pattern.py


def test_given_the_rule_patterns_then_they_pin_this_account_and_no_region_so_forwarded_events_match(main_template):
    for role in ("state", "calls"):
        pattern = _rule(main_template, role)["EventPattern"]
        assert "region" not in pattern
        assert pattern["account"] == [{"Ref": "AWS::AccountId"}]


def test_given_the_calls_rule_then_its_target_sends_the_reduced_call_and_the_state_rule_the_whole_event(main_template):
    (calls_target,) = _rule(main_template, "calls")["Targets"]
    (state_target,) = _rule(main_template, "state")["Targets"]
    assert calls_target["InputTransformer"] == reduced_call_transformer()
    assert "InputTransformer" not in state_target and "Input" not in state_target
    assert calls_target["Arn"] == state_target["Arn"]  # the same events queue


def _resources(template: Template) -> dict:
    return template.to_json()["Resources"]


def _events_queue(template: Template) -> tuple[str, dict]:
    (target,) = _rule(template)["Targets"]
    queue_id = target["Arn"]["Fn::GetAtt"][0]
    return queue_id, _resources(template)[queue_id]["Properties"]


def _mapping(template: Template) -> dict:
    return only(template.find_resources("AWS::Lambda::EventSourceMapping"))[1]["Properties"]


def _function(template: Template) -> tuple[str, dict]:
    function_id, function = only(template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    return function_id, function["Properties"]


def test_given_the_rule_targets_then_they_are_the_events_queue_with_maximal_retries_and_a_dead_letter_queue(
    main_template,
):
    queue_id, _ = _events_queue(main_template)
    for role in ("state", "calls"):
        (target,) = _rule(main_template, role)["Targets"]
        assert target["Arn"]["Fn::GetAtt"][0] == queue_id
        assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
        undelivered_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        assert undelivered_id != queue_id
        assert _resources(main_template)[undelivered_id]["Type"] == "AWS::SQS::Queue"


def test_given_the_events_queue_then_only_the_rules_may_send_to_it_and_only_over_tls(main_template):
    rule_ids = {logical_id for logical_id, _ in rules_by_role(main_template.to_json()).values()}
    queue_id, queue = _events_queue(main_template)
    (policy,) = [
        resource["Properties"]["PolicyDocument"]["Statement"]
        for resource in _resources(main_template).values()
        if resource["Type"] == "AWS::SQS::QueuePolicy" and resource["Properties"]["Queues"] == [{"Ref": queue_id}]
    ]

    assert queue["SqsManagedSseEnabled"] is True
    # (the redrive principals' Allows and the Deny for everyone else: test_queue_senders.py)
    allows = [
        statement for statement in policy if statement["Effect"] == "Allow" and "Service" in statement["Principal"]
    ]
    senders = set()
    for allow in allows:
        assert allow["Principal"] == {"Service": "events.amazonaws.com"}
        assert allow["Resource"] == get_att_arn(queue_id)
        # CDK's grant for an EventBridge target: SendMessage plus the two reads that go with it.
        assert set(as_list(allow["Action"])) == {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
        senders |= {arn["Fn::GetAtt"][0] for arn in as_list(allow["Condition"]["ArnEquals"]["aws:SourceArn"])}
    assert senders == rule_ids  # these rules, nothing else
    assert {
        "Effect": "Deny",
        "Action": "sqs:*",
        "Principal": {"AWS": "*"},
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Resource": get_att_arn(queue_id),
    } in policy


def test_given_the_event_source_mapping_then_it_bounds_concurrency_and_reports_partial_batch_failures(main_template):
    function_id, _ = _function(main_template)
    queue_id, _ = _events_queue(main_template)
    mapping = _mapping(main_template)

    assert mapping["EventSourceArn"] == get_att_arn(queue_id)
    assert mapping["FunctionName"] == {"Ref": function_id}
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 5}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Latency: ten at most per batch and no batching window, so a lone event is handed over at once.
    assert mapping["BatchSize"] == 10
    assert mapping.get("MaximumBatchingWindowInSeconds", 0) == 0


def test_given_the_events_queue_then_its_visibility_timeout_is_six_times_the_function_timeout(main_template):
    _, function = _function(main_template)
    _, queue = _events_queue(main_template)

    assert queue["VisibilityTimeout"] == 6 * function["Timeout"] == 360


def test_given_a_failing_event_then_it_is_retried_about_six_hours_before_its_dead_letter_queue(main_template):
    _, queue = _events_queue(main_template)
    redrive = queue["RedrivePolicy"]
    dead_letters = _resources(main_template)[redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]]["Properties"]

    assert redrive["maxReceiveCount"] * queue["VisibilityTimeout"] >= 6 * 3600
    # A message keeps its first enqueue time when moved, so the dead-letter queue must keep it longer.
    assert dead_letters["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"] >= 4 * 24 * 3600
    assert dead_letters["SqsManagedSseEnabled"] is True
    # An invalid event near EventBridge's 256 KB limit, plus the error attributes the function sets, fits.
    assert dead_letters["MaximumMessageSize"] == 1_048_576


def test_given_the_function_then_it_may_send_only_to_the_dead_letter_queue_whose_url_it_is_given(main_template):
    _, queue = _events_queue(main_template)
    _, function = _function(main_template)
    dead_letters_id = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]

    assert function["Environment"]["Variables"]["DEAD_LETTER_QUEUE_URL"] == {"Ref": dead_letters_id}
    main_template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Sid": "SetAsideInvalidEvents",
                            "Effect": "Allow",
                            "Action": "sqs:SendMessage",
                            "Resource": get_att_arn(dead_letters_id),
                        }
                    ]
                )
            }
        },
    )


def test_given_the_main_stack_then_eventbridge_never_invokes_the_function_directly(main_template):
    monitor_id, _ = only(main_template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    permissions = main_template.find_resources("AWS::Lambda::Permission").values()
    assert [p for p in permissions if p["Properties"]["FunctionName"]["Fn::GetAtt"][0] == monitor_id] == []
    assert main_template.find_resources("AWS::Lambda::EventInvokeConfig") == {}


def test_given_the_rule_dead_letter_queue_then_it_is_encrypted_tls_only_and_writable_by_the_rule_only(main_template):
    rule_id, rule = rules_by_role(main_template.to_json())["state"]
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


def test_given_the_notification_claim_then_it_outlives_an_attempt_but_not_the_visibility_timeout(main_template):
    from task_monitor.adapters.audit_store import CLAIM_TIMEOUT_SECONDS

    _, function = _function(main_template)
    _, queue = _events_queue(main_template)
    # An attempt is dead by the function timeout, so nobody takes its claim while it may still publish; the
    # redelivery of a crashed attempt's message comes after the visibility timeout and finds the claim expired,
    # instead of waiting another visibility timeout (and spending one of its receives) for nothing.
    assert function["Timeout"] < CLAIM_TIMEOUT_SECONDS < queue["VisibilityTimeout"]
