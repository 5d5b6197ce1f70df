"""Audit store: the table of the core issue, built from task_monitor.audit_schema, kept safe."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra.constructs.audit_store import AuditStore
from task_monitor.audit_schema import create_table_request, time_to_live_request
from tests.infra.helpers import only

pytestmark = pytest.mark.infra


def _sorted_by(items: list[dict], key: str) -> list[dict]:
    return sorted(items, key=lambda item: item[key])


def test_given_the_table_then_its_keys_and_indexes_are_exactly_the_schema_modules(main_template):
    _, table = only(main_template.find_resources("AWS::DynamoDB::Table"))
    properties = table["Properties"]
    schema = create_table_request("ignored")

    assert properties["KeySchema"] == schema["KeySchema"]
    assert _sorted_by(properties["AttributeDefinitions"], "AttributeName") == _sorted_by(
        schema["AttributeDefinitions"], "AttributeName"
    )
    assert _sorted_by(properties["GlobalSecondaryIndexes"], "IndexName") == _sorted_by(
        schema["GlobalSecondaryIndexes"], "IndexName"
    )


def test_given_the_table_then_items_expire_by_the_attribute_the_function_writes(main_template):
    _, table = only(main_template.find_resources("AWS::DynamoDB::Table"))
    ttl = time_to_live_request("ignored")["TimeToLiveSpecification"]
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": ttl["AttributeName"], "Enabled": True}


def test_given_the_table_then_it_is_on_demand_recoverable_protected_and_encrypted(main_template):
    _, table = only(main_template.find_resources("AWS::DynamoDB::Table"))
    properties = table["Properties"]

    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_given_the_default_removal_policy_then_the_table_survives_stack_deletion_and_replacement(main_template):
    _, table = only(main_template.find_resources("AWS::DynamoDB::Table"))

    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


def test_given_table_removal_policy_destroy_then_the_table_is_deleted_with_the_stack():
    stack = Stack(App(), "Throwaway")
    AuditStore(stack, "AuditStore", retain=False)

    _, table = only(Template.from_stack(stack).find_resources("AWS::DynamoDB::Table"))

    assert table["DeletionPolicy"] == "Delete"
    # Deletion protection would make CloudFormation fail to delete it.
    assert table["Properties"]["DeletionProtectionEnabled"] is False
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
