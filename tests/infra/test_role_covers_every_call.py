"""The function's role allows every AWS call the function really makes, for every kind of event.

Rather than list the actions by hand, run the real handler through every kind's path (a task's
lifecycle with its notification, a hybrid job with its tasks and roll-up, a device going offline
with tasks waiting, CloudTrail calls joined, an invalid event sent to the dead-letter queue),
record each call at botocore's ``before-parameter-build`` hook, and check each against the synthesized role.
"""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor_devkit.builders.api_call import cancel_task_call, create_job_call, create_task_call, iam_user
from task_monitor_devkit.builders.device import device_event
from task_monitor_devkit.builders.job import JOB_ARN, job_description, job_event, job_task_description, job_task_events
from task_monitor_devkit.builders.task import FORTE, TASK_ARN, description, lifecycle, task_arn, task_event
from tests.e2e.conftest import cold_start_with
from tests.infra.helpers import MONITOR_FUNCTION, as_list, only, policy_statements

pytestmark = pytest.mark.infra

# DynamoDB authorizes each item of a transaction as its own action.
_IMPLIED = {"dynamodb:TransactWriteItems": {"dynamodb:PutItem", "dynamodb:UpdateItem"}}


def _role_actions(main_template) -> tuple[set[str], set[str]]:
    """The role's allowed actions, and the index names it may query."""
    _, function = only(main_template.find_resources("AWS::Lambda::Function", MONITOR_FUNCTION))
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = policy_statements(main_template.to_json(), role_id)
    actions = {action for statement in statements for action in as_list(statement["Action"])}
    indexes = {
        str(part).rsplit("/index/", 1)[-1]
        for statement in statements
        if "dynamodb:Query" in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
        for part in (resource.get("Fn::Join", ["", []])[1] if isinstance(resource, dict) else [resource])
        if "/index/" in str(part)
    }
    return actions, indexes


def _every_kind(aws) -> None:
    """One pass through each kind's pipeline, notifications included."""
    waiting = task_arn("us-east-1", "00000000-0000-4000-8000-000000000001")
    aws.braket.put_task(description("QUEUED", arn=waiting, device=FORTE))
    events: list[Any] = [create_task_call(TASK_ARN), *lifecycle(final="CANCELLED")]
    events += [cancel_task_call(TASK_ARN, identity=iam_user()), task_event("QUEUED", arn=waiting, device=FORTE)]
    aws.braket.put_task(description("CANCELLED"))
    aws.braket.put_job(job_description("COMPLETED"))
    for number in (1, 2):
        aws.braket.put_task(job_task_description(number))
        events += job_task_events(number)
    events += [create_job_call(JOB_ARN), job_event("RUNNING"), job_event("COMPLETED")]
    events += [device_event("OFFLINE", arn=FORTE), "not an event at all"]
    aws.deliver(*events)
    aws.drain()


def test_given_every_kind_of_event_then_the_role_allows_every_call_the_function_makes(main_template) -> None:
    from task_monitor_devkit.embedded import EmbeddedAws

    calls: list[tuple[str, str, dict[str, Any]]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append((model.service_model.signing_name, model.name, params))

    with EmbeddedAws() as aws, cold_start_with(aws, "before-parameter-build", record):
        calls.clear()  # the embedded AWS's own set-up calls are not the function's
        _every_kind(aws)
        published = aws.subscriber_messages()

    allowed, queried_indexes = _role_actions(main_template)
    made = {f"{service}:{operation}" for service, operation, _ in calls}
    needed = set().union(*(_IMPLIED.get(action, {action}) for action in made))
    assert {"braket:GetQuantumTask", "braket:GetJob", "dynamodb:GetItem", "sqs:SendMessage"} <= made | needed
    assert needed - allowed == set()
    used_indexes = {
        params["IndexName"] for _, operation, params in calls if operation == "Query" and "IndexName" in params
    }
    assert used_indexes and used_indexes <= queried_indexes
    # The run did what it claims: the task's, the job's and the device's notifications went out.
    kinds = {message["MessageAttributes"]["kind"]["Value"] for message in published}
    assert kinds == {"task", "job", "device"}
