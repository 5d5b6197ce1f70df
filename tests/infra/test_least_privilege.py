"""Least privilege: the function's role can do exactly what the function does, on exactly its resources."""

from __future__ import annotations

import pytest

from tests.infra.helpers import as_list, get_att_arn, only, policy_statements

pytestmark = pytest.mark.infra

EXPECTED_ACTIONS = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "braket:GetQuantumTask",
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
    _, function = only(main_template.find_resources("AWS::Lambda::Function"))
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


def test_given_getquantumtask_then_it_is_allowed_only_on_quantum_tasks_of_every_braket_region(main_template, synthesis):
    (statement,) = _statements_for(main_template, "braket:GetQuantumTask")
    regions = synthesis.monitor.config.braket_regions

    assert as_list(statement["Action"]) == ["braket:GetQuantumTask"]
    assert sorted(as_list(statement["Resource"]), key=str) == sorted(
        (
            {"Fn::Join": ["", [f"arn:aws:braket:{region}:", {"Ref": "AWS::AccountId"}, ":quantum-task/*"]]}
            for region in regions
        ),
        key=str,
    )


def test_given_the_audit_table_then_only_put_update_and_query_on_the_table_itself_no_index(main_template):
    table_id, _ = only(main_template.find_resources("AWS::DynamoDB::Table"))
    statements = [
        statement
        for statement in _statements(main_template)
        if any(action.startswith("dynamodb:") for action in as_list(statement["Action"]))
    ]

    assert len(statements) == 1
    assert sorted(as_list(statements[0]["Action"])) == ["dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    assert statements[0]["Resource"] == get_att_arn(table_id)


def test_given_logs_then_only_the_functions_own_log_group(main_template):
    log_group_id, _ = only(main_template.find_resources("AWS::Logs::LogGroup"))
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
