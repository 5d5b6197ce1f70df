"""Audit store: the table of the core issue, built from task_monitor.audit_schema, kept safe."""

from __future__ import annotations

import itertools

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


def test_given_each_step_of_the_index_migration_then_one_index_changes_per_deploy() -> None:
    """CloudFormation creates or deletes one global secondary index per stack update: each step's
    table differs from the one before by one index; the first is the table as deployed before
    issue 15 (every attribute projected), the last the schema's."""
    from task_monitor.audit_schema import FINAL_MIGRATION_STEP, INDEXES, LEGACY_INDEXES, MIGRATION_STEPS

    def indexes_at(step: int) -> dict[str, dict]:
        stack = Stack(App(), f"Step{step}")
        AuditStore(stack, "AuditStore", retain=True, migration_step=step)
        _, table = only(Template.from_stack(stack).find_resources("AWS::DynamoDB::Table"))
        return {index["IndexName"]: index for index in table["Properties"]["GlobalSecondaryIndexes"]}

    steps = [indexes_at(step) for step in range(FINAL_MIGRATION_STEP + 1)]
    assert {index["Projection"]["ProjectionType"] for index in steps[0].values()} == {"ALL"}
    assert set(steps[0]) == {index.name for index in LEGACY_INDEXES} == {"byDevice", "byJob", "byStatus"}
    for before, after in itertools.pairwise(steps):
        assert len(set(before) ^ set(after)) == 1
        assert all(before[name] == after[name] for name in set(before) & set(after))  # none changed in place
    assert set(steps[-1]) == {index.name for index in INDEXES}
    final = {
        index["IndexName"]: index for index in create_table_request("t", MIGRATION_STEPS[-1])["GlobalSecondaryIndexes"]
    }
    assert {name: index["Projection"] for name, index in steps[-1].items()} == {
        name: index["Projection"] for name, index in final.items()
    }


def test_given_a_migration_step_then_the_function_reads_and_may_query_the_indexes_that_step_has() -> None:
    from infra.application import build
    from task_monitor.settings import Settings
    from tests.infra.conftest import app_context

    for step, expected in ((1, {"byJob", "byStatus-v2"}), (6, {"byJob-v2", "byStatus-v2"})):
        app = App(context=app_context(auditIndexMigrationStep=step, **{"aws:cdk:bundling-stacks": []}))
        template = Template.from_stack(build(app).main).to_json()
        environment = next(
            resource["Properties"]["Environment"]["Variables"]
            for resource in template["Resources"].values()
            if resource["Type"] == "AWS::Lambda::Function" and "AUDIT_TABLE_NAME" in str(resource["Properties"])
        )
        granted = {
            part.removeprefix("/index/")
            for part in _strings(template)
            if isinstance(part, str) and part.startswith("/index/")
        }
        assert granted == expected, step
        if step == 6:
            assert "AUDIT_TABLE_INDEXES" not in environment
            continue
        settings = Settings.from_environment(
            {
                "AUDIT_TABLE_NAME": "braket-task-audit",
                "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications",
                "AUDIT_TABLE_INDEXES": environment["AUDIT_TABLE_INDEXES"],
            }
        )
        assert settings.audit_table_indexes == {"byDevice", "byJob", "byStatus", "byStatus-v2"}


def _strings(value: object) -> list[object]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value]
