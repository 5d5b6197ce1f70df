"""Least privilege: the function's role can do exactly what the function does, on exactly its resources."""

from __future__ import annotations

import pytest

from tests.infra.helpers import MONITOR_FUNCTION, as_list, get_att_arn, monitor_log_groups, only, policy_statements

pytestmark = pytest.mark.infra

EXPECTED_ACTIONS = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "braket:GetQuantumTask",
    "braket:GetJob",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:Query",
    "sns:Publish",
    "kms:GenerateDataKey",
    "kms:Decrypt",
    "sqs:SendMessage",
    # The event source mapping polls with the function's role (CDK's grant for SQS consumers).
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def _function_role(main_template) -> tuple[str, dict]:
    _, function = only(main_template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return role_id, main_template.to_json()["Resources"][role_id]


def _statements(main_template) -> list[dict]:
    role_id, _ = _function_role(main_template)
    return policy_statements(main_template.to_json(), role_id)


def _statements_for(main_template, action: str) -> list[dict]:
    return [statement for statement in _statements(main_template) if action in as_list(statement["Action"])]


def test_given_the_function_role_then_it_has_no_aws_managed_policies(main_template):
    _, role = _function_role(main_template)

    assert "ManagedPolicyArns" not in role["Properties"]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
    ]


def test_given_the_function_role_then_it_allows_exactly_the_actions_the_function_uses(main_template):
    statements = _statements(main_template)

    assert all(statement["Effect"] == "Allow" for statement in statements)
    assert {action for statement in statements for action in as_list(statement["Action"])} == EXPECTED_ACTIONS


def _regional_arns(regions, resource: str) -> list:
    return sorted(
        (
            {"Fn::Join": ["", [f"arn:aws:braket:{region}:", {"Ref": "AWS::AccountId"}, f":{resource}/*"]]}
            for region in regions
        ),
        key=str,
    )


def test_given_getquantumtask_then_it_is_allowed_only_on_quantum_tasks_of_every_braket_region(main_template, synthesis):
    (statement,) = _statements_for(main_template, "braket:GetQuantumTask")
    regions = synthesis.monitor.config.braket_regions

    assert as_list(statement["Action"]) == ["braket:GetQuantumTask"]
    assert sorted(as_list(statement["Resource"]), key=str) == _regional_arns(regions, "quantum-task")


def test_given_getjob_then_it_is_allowed_only_on_jobs_of_every_braket_region_never_on_everything(
    main_template, synthesis
):
    (statement,) = _statements_for(main_template, "braket:GetJob")
    regions = synthesis.monitor.config.braket_regions

    assert as_list(statement["Action"]) == ["braket:GetJob"]
    assert sorted(as_list(statement["Resource"]), key=str) == _regional_arns(regions, "job")
    assert "*" not in as_list(statement["Resource"])


def test_given_braket_then_the_role_may_only_read_tasks_and_jobs(main_template):
    braket = {
        action
        for statement in _statements(main_template)
        for action in as_list(statement["Action"])
        if action.startswith("braket:")
    }

    assert braket == {"braket:GetQuantumTask", "braket:GetJob"}


def _dynamodb_statements(main_template) -> list[dict]:
    return [
        statement
        for statement in _statements(main_template)
        if any(action.startswith("dynamodb:") for action in as_list(statement["Action"]))
    ]


def test_given_the_audit_table_then_get_put_update_and_query_on_it_and_query_only_on_two_named_indexes(
    main_template,
):
    table_id, _ = only(main_template.find_resources("AWS::DynamoDB::Table"))
    table, indexes = _dynamodb_statements(main_template)

    assert sorted(as_list(table["Action"])) == [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ]
    assert table["Resource"] == get_att_arn(table_id)
    assert as_list(indexes["Action"]) == ["dynamodb:Query"]
    # byJob-v2 and byStatus-v2 by name: not index/* (byDevice serves the read API only), not the table's items.
    assert indexes["Resource"] == [
        {"Fn::Join": ["", [get_att_arn(table_id), f"/index/{name}"]]} for name in ("byJob-v2", "byStatus-v2")
    ]


def test_given_the_indexes_the_role_may_query_then_the_table_has_each_of_them(main_template):
    (table,) = main_template.find_resources("AWS::DynamoDB::Table").values()
    _, indexes = _dynamodb_statements(main_template)
    defined = {index["IndexName"] for index in table["Properties"]["GlobalSecondaryIndexes"]}

    granted = {resource["Fn::Join"][1][1].removeprefix("/index/") for resource in indexes["Resource"]}
    assert granted <= defined
    assert granted == {"byJob-v2", "byStatus-v2"}


def test_given_logs_then_only_the_functions_own_log_group(main_template):
    log_group_id, _ = only(monitor_log_groups(main_template))
    (statement,) = _statements_for(main_template, "logs:PutLogEvents")

    assert sorted(as_list(statement["Action"])) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == get_att_arn(log_group_id)


def test_given_the_queues_then_consume_only_the_events_queue_and_send_only_to_the_dead_letter_queue(main_template):
    (_mapping_id, mapping) = only(main_template.find_resources("AWS::Lambda::EventSourceMapping"))
    events_queue = mapping["Properties"]["EventSourceArn"]
    statements = [
        statement
        for statement in _statements(main_template)
        if any(action.startswith("sqs:") for action in as_list(statement["Action"]))
    ]
    sends = [statement for statement in statements if "sqs:SendMessage" in as_list(statement["Action"])]
    consumes = [statement for statement in statements if statement not in sends]

    assert [as_list(statement["Action"]) for statement in sends] == [["sqs:SendMessage"]]
    assert sends[0]["Resource"] != events_queue  # the dead-letter queue: see test_ingest
    assert [statement["Resource"] for statement in consumes] == [events_queue]


def test_given_wildcard_resources_then_only_xray_which_supports_no_resource_uses_them(main_template):
    wildcard = [statement for statement in _statements(main_template) if statement["Resource"] == "*"]

    assert len(wildcard) == 1
    assert sorted(as_list(wildcard[0]["Action"])) == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
