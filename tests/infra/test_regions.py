"""Every Braket region: a forwarder stack per region other than the main one, sending to the main bus."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match, Template

from infra.application import build
from infra.config import DEFAULT_BRAKET_REGIONS
from infra.stacks import MAIN_STACK_NAME, forwarder_stack_name
from tests.infra.conftest import app_context
from tests.infra.helpers import only, rules_by_role

pytestmark = pytest.mark.infra

MAIN_BUS_ARN = {"Fn::Join": ["", ["arn:aws:events:us-east-1:", {"Ref": "AWS::AccountId"}, ":event-bus/default"]]}


def test_given_the_default_regions_then_the_main_stack_and_one_forwarder_per_other_region_are_synthesized(synthesis):
    stacks = {stack.stack_name: stack.environment.region for stack in synthesis.assembly.stacks}

    assert stacks == {
        MAIN_STACK_NAME: "us-east-1",
        **{forwarder_stack_name(region): region for region in DEFAULT_BRAKET_REGIONS if region != "us-east-1"},
    }


def test_given_no_credentials_then_no_stack_pins_an_account(synthesis):
    for stack in synthesis.assembly.stacks:
        assert stack.environment.account == "unknown-account"


def test_given_each_forwarder_then_it_is_deployed_after_the_main_stack(synthesis):
    for region in synthesis.monitor.config.forwarded_regions:
        forwarder = synthesis.assembly.get_stack_by_name(forwarder_stack_name(region))
        assert MAIN_STACK_NAME in [dependency.id for dependency in forwarder.dependencies]


def test_given_each_forwarder_then_its_rule_takes_what_the_main_rules_take_together(main_template, forwarder_templates):
    from infra.braket_events import braket_event_pattern

    main = rules_by_role(main_template.to_json())
    state, calls = (main[role][1]["Properties"]["EventPattern"] for role in ("state", "calls"))
    account = {"Ref": "AWS::AccountId"}
    assert len(forwarder_templates) == 4
    for template in forwarder_templates.values():
        _, rule = only(template.find_resources("AWS::Events::Rule"))
        assert "EventBusName" not in rule["Properties"]
        pattern = rule["Properties"]["EventPattern"]
        assert pattern == braket_event_pattern(account)  # type: ignore[arg-type]
        assert pattern["account"] == state["account"] == calls["account"] == [account]
        assert [{"source": state["source"], "account": state["account"], **branch} for branch in pattern["$or"]] == [
            {**state},
            {**calls},
        ]


def test_given_each_forwarder_then_it_targets_the_main_default_bus_with_role_retries_and_dead_letter_queue(
    forwarder_templates,
):
    for region, template in forwarder_templates.items():
        _, rule = only(template.find_resources("AWS::Events::Rule"))
        (target,) = rule["Properties"]["Targets"]
        role_id = target["RoleArn"]["Fn::GetAtt"][0]
        queue_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        resources = template.to_json()["Resources"]

        assert target["Arn"] == MAIN_BUS_ARN
        assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
        # Only this account's rules in the forwarder's own region may assume it (no confused deputy).
        assert resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
            {
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                    "ArnLike": {
                        "aws:SourceArn": {
                            "Fn::Join": ["", [f"arn:aws:events:{region}:", {"Ref": "AWS::AccountId"}, ":rule/*"]]
                        }
                    },
                },
            }
        ]
        template.has_resource_properties(
            "AWS::IAM::Policy",
            {
                "Roles": [{"Ref": role_id}],
                "PolicyDocument": {
                    "Statement": [{"Action": "events:PutEvents", "Effect": "Allow", "Resource": MAIN_BUS_ARN}]
                },
            },
        )
        assert resources[queue_id]["Properties"]["SqsManagedSseEnabled"] is True
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue_id}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                            ),
                            # Without this, a forward that fails for good would be dropped silently.
                            Match.object_like(
                                {
                                    "Effect": "Allow",
                                    "Action": "sqs:SendMessage",
                                    "Principal": {"Service": "events.amazonaws.com"},
                                }
                            ),
                        ]
                    )
                },
            },
        )


def test_given_each_forwarder_then_its_dead_letter_queue_and_rule_failures_alarm_in_that_region(forwarder_templates):
    for region, template in forwarder_templates.items():
        rule_id, rule = only(template.find_resources("AWS::Events::Rule"))
        queue_id = rule["Properties"]["Targets"][0]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        alarms = [alarm["Properties"] for alarm in template.find_resources("AWS::CloudWatch::Alarm").values()]
        topic_id, topic = only(template.find_resources("AWS::SNS::Topic"))

        assert {(alarm["MetricName"], str(alarm["Dimensions"])) for alarm in alarms} == {
            (
                "ApproximateNumberOfMessagesVisible",
                str([{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}]),
            ),
            ("FailedInvocations", str([{"Name": "RuleName", "Value": {"Ref": rule_id}}])),
        }
        assert all(alarm["AlarmActions"] == [{"Ref": topic_id}] for alarm in alarms)
        # No customer key per region: alarm messages carry no task data (and alias/aws/sns would
        # refuse CloudWatch), so the topic is unencrypted but TLS-only and open to this region's alarms.
        assert "KmsMasterKeyId" not in topic["Properties"]
        assert not template.find_resources("AWS::KMS::Key")
        template.has_resource_properties(
            "AWS::SNS::TopicPolicy",
            {
                "Topics": [{"Ref": topic_id}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                            ),
                            Match.object_like(
                                {
                                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                    "Action": "sns:Publish",
                                    "Condition": {
                                        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                                        "ArnLike": {
                                            "aws:SourceArn": {
                                                "Fn::Join": [
                                                    "",
                                                    [
                                                        f"arn:aws:cloudwatch:{region}:",
                                                        {"Ref": "AWS::AccountId"},
                                                        ":alarm:*",
                                                    ],
                                                ]
                                            }
                                        },
                                    },
                                }
                            ),
                        ]
                    )
                },
            },
        )
        template.has_resource_properties("AWS::SNS::Subscription", {"Endpoint": "oncall@example.org"})


def test_given_each_forwarder_then_it_deploys_with_the_main_regions_bootstrap_roles_and_an_inline_template(
    synthesis,
):
    main = synthesis.assembly.get_stack_by_name(MAIN_STACK_NAME)

    assert main.assume_role_arn.endswith("-deploy-role-${AWS::AccountId}-us-east-1")
    for region in synthesis.monitor.config.forwarded_regions:
        forwarder = synthesis.assembly.get_stack_by_name(forwarder_stack_name(region))
        # Only the main region needs `cdk bootstrap`.
        assert forwarder.assume_role_arn == main.assume_role_arn
        assert forwarder.cloud_formation_execution_role_arn == main.cloud_formation_execution_role_arn
        assert forwarder.requires_bootstrap_stack_version is None
        assert forwarder.stack_template_asset_object_url is None
        assert not forwarder.assets
        # CloudFormation takes an inline template body up to 51,200 bytes.
        assert Path(forwarder.template_full_path).stat().st_size < 51_200


@pytest.mark.parametrize(
    ("settings", "forwarded"),
    [
        # (the test settings' us-west-1 spending limit needs its region watched: none here)
        ({"braketRegions": ["us-east-1"], "spendingLimits": []}, []),
        ({"mainRegion": "eu-west-1"}, list(DEFAULT_BRAKET_REGIONS)),
    ],
)
def test_given_other_region_settings_then_forwarders_and_task_permissions_follow_them(settings, forwarded):
    app = App(context=app_context(**settings, **{"aws:cdk:bundling-stacks": []}))
    monitor = build(app)

    template = Template.from_stack(monitor.main).to_json()

    assert sorted(monitor.forwarders) == sorted(forwarded)
    assert monitor.main.region == settings.get("mainRegion", "us-east-1")
    granted = str([r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"])
    for region in monitor.config.braket_regions:
        assert f"arn:aws:braket:{region}:" in granted
    assert granted.count(":quantum-task/*") == len(monitor.config.braket_regions)
