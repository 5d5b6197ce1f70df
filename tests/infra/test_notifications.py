"""Notifications: a CMK-encrypted, TLS-only topic with one email subscription per configured entry,
filtered on the message attributes the function publishes."""

from __future__ import annotations

import json

import boto3
import pytest
from aws_cdk.assertions import Match
from moto import mock_aws

from tests.infra.helpers import DEVICE_ARN, get_att_arn

pytestmark = pytest.mark.infra

FILTER_POLICY = {
    "status": ["FAILED"],
    "deviceArn": [DEVICE_ARN],
    "provider": ["ionq"],
    "tags": ["project=vqe-h2"],
}


def _topic_id(template) -> str:
    (topic_id,) = [
        logical_id
        for logical_id, topic in template.find_resources("AWS::SNS::Topic").items()
        if topic["Properties"].get("DisplayName") == "Braket task notifications"
    ]
    return topic_id


def test_given_the_topic_then_it_is_encrypted_with_a_rotated_customer_key(main_template):
    topic = main_template.to_json()["Resources"][_topic_id(main_template)]["Properties"]
    key_id = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]

    main_template.has_resource("AWS::KMS::Key", {"Properties": Match.object_like({"EnableKeyRotation": True})})
    assert main_template.to_json()["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True


def test_given_the_topic_then_its_policy_refuses_publishing_without_tls(main_template):
    topic_id = _topic_id(main_template)

    main_template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "sns:Publish",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_given_two_configured_emails_then_each_is_subscribed_and_only_the_filtered_one_has_a_policy(main_template):
    topic_id = _topic_id(main_template)
    subscriptions = {
        subscription["Properties"]["Endpoint"]: subscription["Properties"]
        for subscription in main_template.find_resources(
            "AWS::SNS::Subscription", {"Properties": {"TopicArn": {"Ref": topic_id}}}
        ).values()
    }

    assert set(subscriptions) == {"everything@example.org", "vqe-team@example.org"}
    assert all(subscription["Protocol"] == "email" for subscription in subscriptions.values())
    assert "FilterPolicy" not in subscriptions["everything@example.org"]
    assert subscriptions["vqe-team@example.org"]["FilterPolicy"] == FILTER_POLICY


def _attributes(status: str, device: str, provider: str, tags: list[str]) -> dict:
    return {
        "status": {"DataType": "String", "StringValue": status},
        "deviceArn": {"DataType": "String", "StringValue": device},
        "provider": {"DataType": "String", "StringValue": provider},
        "tags": {"DataType": "String.Array", "StringValue": json.dumps(tags)},
    }


@mock_aws
def test_given_the_synthesized_filter_policy_when_sns_filters_messages_then_only_matching_ones_arrive(
    main_template, monkeypatch
):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    topic_id = _topic_id(main_template)
    (policy,) = [
        subscription["Properties"]["FilterPolicy"]
        for subscription in main_template.find_resources(
            "AWS::SNS::Subscription", {"Properties": {"TopicArn": {"Ref": topic_id}}}
        ).values()
        if "FilterPolicy" in subscription["Properties"]
    ]
    sns = boto3.client("sns", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    topic_arn = sns.create_topic(Name="notifications")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="probe")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"FilterPolicy": json.dumps(policy), "RawMessageDelivery": "true"},
    )
    other_device = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
    messages = {
        "match": _attributes("FAILED", DEVICE_ARN, "ionq", ["owner=ana", "project=vqe-h2"]),
        "completed": _attributes("COMPLETED", DEVICE_ARN, "ionq", ["project=vqe-h2"]),
        "other-device": _attributes("FAILED", other_device, "iqm", ["project=vqe-h2"]),
        "other-project": _attributes("FAILED", DEVICE_ARN, "ionq", ["project=qaoa"]),
        "untagged": _attributes("FAILED", DEVICE_ARN, "ionq", []),
    }

    for body, attributes in messages.items():
        sns.publish(TopicArn=topic_arn, Message=body, MessageAttributes=attributes)
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])

    assert [message["Body"] for message in received] == ["match"]


def test_given_the_function_then_it_may_publish_to_the_topic_and_use_its_key(main_template):
    topic_id = _topic_id(main_template)
    topic = main_template.to_json()["Resources"][topic_id]["Properties"]
    key_id = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]

    main_template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Sid": "PublishNotifications",
                            "Effect": "Allow",
                            "Action": "sns:Publish",
                            "Resource": {"Ref": topic_id},
                        },
                        {
                            "Sid": "EncryptNotifications",
                            "Effect": "Allow",
                            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                            "Resource": get_att_arn(key_id),
                            # Only through SNS in the stack's region, never directly.
                            "Condition": {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}},
                        },
                    ]
                )
            }
        },
    )
