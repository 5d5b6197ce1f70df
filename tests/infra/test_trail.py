"""The optional CloudTrail trail (context ``createTrail``): off by default; when on, one multi-region
trail of management write events only, into a bucket that is encrypted, private, TLS-only and expiring.

The session's synthesis has the trail on (``TEST_SETTINGS``, retention 400 days); the default is
checked on a construct tree built without synthesis or bundling.
"""

from __future__ import annotations

import pytest
from aws_cdk import App, CfnResource

from infra.application import build
from tests.infra.conftest import cdk_json_context
from tests.infra.helpers import as_list, get_att_arn, only

pytestmark = pytest.mark.infra

CLOUDTRAIL = {"Service": "cloudtrail.amazonaws.com"}


def _resource_types(app: App) -> list[str]:
    return [node.cfn_resource_type for node in app.node.find_all() if isinstance(node, CfnResource)]


def test_given_the_default_context_then_no_stack_has_a_trail_or_its_bucket():
    app = App(context={**cdk_json_context(), "aws:cdk:bundling-stacks": []})

    monitor = build(app)

    assert monitor.config.create_trail is False
    assert monitor.main.trail is None
    types = _resource_types(app)
    assert "AWS::CloudTrail::Trail" not in types
    assert "AWS::S3::Bucket" not in types


def _trail(main_template) -> tuple[str, dict]:
    trail_id, trail = only(main_template.find_resources("AWS::CloudTrail::Trail"))
    return trail_id, trail["Properties"]


def test_given_create_trail_then_the_main_stack_has_exactly_one_multi_region_trail_that_is_logging(
    main_template, forwarder_templates
):
    _, trail = _trail(main_template)

    assert trail["IsMultiRegionTrail"] is True  # every Braket region, including ones added later
    assert trail["IsLogging"] is True
    assert trail["IncludeGlobalServiceEvents"] is True
    assert trail["EnableLogFileValidation"] is True
    assert not trail.get("IsOrganizationTrail", False)
    for template in forwarder_templates.values():  # the one multi-region trail covers their regions
        assert template.find_resources("AWS::CloudTrail::Trail") == {}


def test_given_the_trail_then_it_logs_management_write_events_only_no_data_events_no_insights(main_template):
    _, trail = _trail(main_template)

    assert trail["EventSelectors"] == [{"IncludeManagementEvents": True, "ReadWriteType": "WriteOnly"}]
    assert "AdvancedEventSelectors" not in trail
    assert "InsightSelectors" not in trail
    assert "CloudWatchLogsLogGroupArn" not in trail
    assert "SnsTopicName" not in trail


def _bucket(main_template) -> tuple[str, dict]:
    _, trail = _trail(main_template)
    bucket_id = trail["S3BucketName"]["Ref"]
    return bucket_id, main_template.to_json()["Resources"][bucket_id]


def test_given_the_trail_bucket_then_it_is_encrypted_private_retained_and_expires_after_the_retention(
    main_template,
):
    _, bucket = _bucket(main_template)
    properties = bucket["Properties"]

    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    (rule,) = properties["LifecycleConfiguration"]["Rules"]
    assert (rule["Status"], rule["ExpirationInDays"]) == ("Enabled", 400)  # trailRetentionDays in TEST_SETTINGS
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"


def _bucket_policy(main_template) -> list[dict]:
    bucket_id, _ = _bucket(main_template)
    (policy,) = [
        resource["Properties"]["PolicyDocument"]["Statement"]
        for resource in main_template.find_resources("AWS::S3::BucketPolicy").values()
        if resource["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    return policy


def test_given_the_trail_bucket_policy_then_it_denies_every_request_without_tls(main_template):
    bucket_id, _ = _bucket(main_template)

    assert {
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": [get_att_arn(bucket_id), {"Fn::Join": ["", [get_att_arn(bucket_id), "/*"]]}],
    } in _bucket_policy(main_template)


def test_given_the_trail_bucket_policy_then_only_cloudtrail_may_write_and_only_under_this_accounts_prefix(
    main_template,
):
    bucket_id, _ = _bucket(main_template)
    allows = [statement for statement in _bucket_policy(main_template) if statement["Effect"] == "Allow"]

    assert all(statement["Principal"] == CLOUDTRAIL for statement in allows)
    assert sorted((as_list(s["Action"]), str(s["Resource"])) for s in allows) == sorted(
        [
            (["s3:GetBucketAcl"], str(get_att_arn(bucket_id))),
            (
                ["s3:PutObject"],
                str({"Fn::Join": ["", [get_att_arn(bucket_id), "/AWSLogs/", {"Ref": "AWS::AccountId"}, "/*"]]}),
            ),
        ]
    )
    (put,) = [s for s in allows if s["Action"] == "s3:PutObject"]
    assert put["Condition"] == {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}


def test_given_the_trail_bucket_policy_then_cloudtrail_is_denied_for_any_trail_but_this_one(main_template):
    _, trail = _trail(main_template)
    (deny,) = [s for s in _bucket_policy(main_template) if s.get("Sid") == "OnlyThisTrail"]
    trail_arn = {
        "Fn::Join": ["", ["arn:aws:cloudtrail:us-east-1:", {"Ref": "AWS::AccountId"}, f":trail/{trail['TrailName']}"]]
    }

    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == CLOUDTRAIL
    assert sorted(as_list(deny["Action"])) == ["s3:GetBucketAcl", "s3:PutObject"]
    assert deny["Condition"] == {"StringNotEquals": {"aws:SourceArn": trail_arn}}
