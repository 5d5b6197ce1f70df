"""The queues as evidence: only the rules (by aws:SourceArn) and the redrive principals may send to the
events queue, only the function, SQS's redrive and the redrive principals to its dead-letter queue;
an explicit Deny for everyone else (docs/trust-and-privacy.md, "Trust model")."""

from __future__ import annotations

import pytest
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from infra.constructs.ingest import Ingest
from tests.infra.conftest import REDRIVER, TEST_SETTINGS
from tests.infra.helpers import MONITOR_FUNCTION, as_list, get_att_arn, only

pytestmark = pytest.mark.infra

REDRIVERS = TEST_SETTINGS["redrivePrincipals"]


def _statements(template: Template, queue_id: str) -> list[dict]:
    (statements,) = [
        resource["Properties"]["PolicyDocument"]["Statement"]
        for resource in template.to_json()["Resources"].values()
        if resource["Type"] == "AWS::SQS::QueuePolicy" and resource["Properties"]["Queues"] == [{"Ref": queue_id}]
    ]
    return statements


def _pattern_rules(template: Template) -> dict[str, dict]:
    """The rules that match events (a schedule, such as the price refresh's, sends to no queue)."""
    rules = template.find_resources("AWS::Events::Rule")
    return {logical_id: rule for logical_id, rule in rules.items() if "EventPattern" in rule["Properties"]}


def _queues(template: Template) -> tuple[str, str]:
    """The events queue's and its dead-letter queue's logical ids."""
    targets = {rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0] for rule in _pattern_rules(template).values()}
    (queue_id,) = targets  # every rule (state changes, reduced calls) targets the one events queue
    queue = template.to_json()["Resources"][queue_id]["Properties"]
    return queue_id, queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]


def test_given_the_events_queue_then_senders_other_than_the_rules_and_redrivers_are_denied(main_template):
    rule_ids = sorted(_pattern_rules(main_template))
    assert len(rule_ids) == 2  # state changes whole, CloudTrail calls reduced (infra/braket_events.py)
    queue_id, _ = _queues(main_template)
    statements = _statements(main_template, queue_id)

    (deny,) = [s for s in statements if s.get("Sid") == "OnlyTheRulesAndRedriversSend"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert as_list(deny["Action"]) == ["sqs:SendMessage"]  # receive and delete (the mapping) untouched
    assert deny["Resource"] == get_att_arn(queue_id)
    assert deny["Condition"]["ArnNotLike"] == {"aws:PrincipalArn": REDRIVERS}
    assert set(deny["Condition"]) == {"ArnNotEquals", "ArnNotLike"}
    excepted = deny["Condition"]["ArnNotEquals"]["aws:SourceArn"]
    assert sorted(arn["Fn::GetAtt"][0] for arn in excepted) == rule_ids  # every rule targeting the queue
    assert all(arn == get_att_arn(arn["Fn::GetAtt"][0]) for arn in excepted)
    from_rules = [s for s in statements if s["Effect"] == "Allow" and "Service" in s["Principal"]]
    assert sorted(s["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0] for s in from_rules) == rule_ids
    redrive = [s for s in statements if s["Effect"] == "Allow" and "AWS" in s["Principal"]]
    assert sorted(s["Principal"]["AWS"] for s in redrive) == sorted(REDRIVERS)
    assert all(as_list(s["Action"]) == ["sqs:SendMessage"] for s in redrive)


def test_given_the_dead_letter_queue_then_only_the_function_redrive_and_redrivers_may_send(main_template):
    queue_id, dead_letters_id = _queues(main_template)
    (_, function) = only(main_template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    role_arn = function["Properties"]["Role"]
    (deny,) = [s for s in _statements(main_template, dead_letters_id) if s.get("Sid", "").startswith("OnlyThe")]

    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert as_list(deny["Action"]) == ["sqs:SendMessage"] and deny["Resource"] == get_att_arn(dead_letters_id)
    assert deny["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": [role_arn, *REDRIVERS]},
        "ArnNotEquals": {"aws:SourceArn": get_att_arn(queue_id)},
        "StringNotEqualsIfExists": {"aws:PrincipalServiceName": "sqs.amazonaws.com"},
    }


def test_given_the_function_then_it_knows_the_events_queue_arn(main_template):
    queue_id, _ = _queues(main_template)
    (_, function) = only(main_template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    assert function["Properties"]["Environment"]["Variables"]["EVENTS_QUEUE_ARN"] == get_att_arn(queue_id)


def test_given_the_function_output_then_it_says_how_to_replay_not_to_invoke(main_template):
    outputs = main_template.to_json()["Outputs"]
    text = " ".join(output.get("Description", "") for output in outputs.values())
    assert "Invoke with an event to replay it" not in text
    assert "task-monitor replay" in outputs["FunctionName"]["Description"]
    assert "arrival.via=direct" in outputs["FunctionName"]["Description"]


def _small_stack(*, list_second_rule: bool) -> Stack:
    stack = Stack(App(), "Senders")
    function = lambda_.Function(
        stack,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): pass"),
        timeout=Duration.seconds(60),
    )
    ingest = Ingest(stack, "Ingest", function=function, max_concurrency=5, redrive_principals=(REDRIVER,))
    second = events.Rule(stack, "Calls", event_pattern=events.EventPattern(source=["aws.braket"]))
    second.add_target(targets.SqsQueue(ingest.queue))
    if list_second_rule:
        ingest.rules.append(second)
    return stack


def test_given_a_second_rule_targeting_the_queue_then_the_deny_lets_every_listed_rule_through():
    template = Template.from_stack(_small_stack(list_second_rule=True))
    rule_ids = sorted(_pattern_rules(template))
    queue_id, _ = _queues_of_small(template)
    (deny,) = [s for s in _statements(template, queue_id) if s.get("Sid") == "OnlyTheRulesAndRedriversSend"]
    assert sorted(arn["Fn::GetAtt"][0] for arn in deny["Condition"]["ArnNotEquals"]["aws:SourceArn"]) == rule_ids


def test_given_a_rule_targeting_the_queue_but_not_listed_then_synthesis_fails_naming_it():
    with pytest.raises(Exception, match=r"Senders/Calls targets the events queue but is not in Ingest\.rules"):
        Template.from_stack(_small_stack(list_second_rule=False))


def _queues_of_small(template: Template) -> tuple[str, str]:
    (queue_id,) = [
        logical
        for logical, resource in template.find_resources("AWS::SQS::Queue").items()
        if "RedrivePolicy" in resource["Properties"]
    ]
    queue = template.to_json()["Resources"][queue_id]["Properties"]
    return queue_id, queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
