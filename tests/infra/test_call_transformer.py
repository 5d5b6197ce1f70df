"""The main region's call rule: its InputTransformer, applied to every shape of CloudTrail call.

The reduced call must parse to the same caller record as the whole call (but for hyperparameter names:
they cannot be had without their values), under every reading of an absent path (``input_transformer``),
and must carry none of the values never stored. Then reduced calls go through the real handler, end to
end: the table, the notifications and the logs hold the same callers and none of those values.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.stacks import MAIN_STACK_NAME
from task_monitor.domain.callers import principal_only
from task_monitor.domain.kinds.api_call.event import parse_api_call
from task_monitor.domain.kinds.api_call.refused import is_spending_limit_refusal, refusal_amounts
from task_monitor_devkit.builders.api_call import (
    JOB_ARN,
    NEVER_STORED,
    assumed_role,
    aws_service,
    cancel_job_call,
    cancel_task_call,
    create_job_call,
    create_task_call,
    failed_create_task_call,
    iam_user,
    refused_create_task_call,
)
from task_monitor_devkit.builders.task import TASK_ARN, description, task_event
from tests.infra.helpers import rules_by_role
from tests.infra.input_transformer import MISSING_READINGS, transform

pytestmark = pytest.mark.infra

IDENTITIES = {"role session": assumed_role, "IAM user": iam_user, "AWS service": aws_service}


def _calls(identity: dict[str, Any]) -> dict[str, dict[str, Any]]:
    unanswered = cancel_job_call(JOB_ARN, identity=identity)
    unanswered["detail"]["responseElements"] = None  # CloudTrail logs some calls with no response
    return {
        "CancelJob with no response": unanswered,
        "CreateQuantumTask": create_task_call(TASK_ARN, identity=identity),
        "CreateQuantumTask in a job": create_task_call(TASK_ARN, identity=identity, job_token=True),
        "CancelQuantumTask": cancel_task_call(TASK_ARN, identity=identity),
        "CreateJob": create_job_call(JOB_ARN, identity=identity),
        "CancelJob": cancel_job_call(JOB_ARN, identity=identity),
        "failed CreateQuantumTask": failed_create_task_call(identity=identity),
        "CreateQuantumTask refused by a spending limit": refused_create_task_call(identity=identity),
    }


@pytest.fixture(scope="module")
def transformer(synthesis) -> dict[str, Any]:
    """The InputTransformer of the synthesized main stack's call rule."""
    _, rule = rules_by_role(synthesis.template_dict(MAIN_STACK_NAME))["calls"]
    (target,) = rule["Properties"]["Targets"]
    return target["InputTransformer"]


def _without_hyperparameter_names(record: dict[str, Any]) -> dict[str, Any]:
    record = json.loads(json.dumps(record))
    for role in ("createdBy", "cancelledBy"):
        record.get(role, {}).get("requestParameters", {}).pop("hyperParameterKeys", None)
    return record


@pytest.mark.parametrize("missing", MISSING_READINGS)
@pytest.mark.parametrize("who", sorted(IDENTITIES))
def test_every_call_reduced_parses_to_the_same_record_and_carries_nothing_never_stored(transformer, who, missing):
    for name, call in _calls(IDENTITIES[who]()).items():
        reduced = transform(transformer, call, missing)

        assert _without_hyperparameter_names(parse_api_call(reduced).record()) == _without_hyperparameter_names(
            parse_api_call(call).record()
        ), (name, missing)
        text = json.dumps(reduced)
        for secret in NEVER_STORED:
            assert secret not in text, (name, secret)
        for field in ("accessKeyId", "sessionToken", "jobToken", "clientToken", "action", "hyperParameters"):
            assert field not in text, (name, field)


def test_a_failed_call_keeps_its_error_code_and_a_call_without_a_time_takes_the_deliverys(transformer):
    failed = transform(transformer, failed_create_task_call(), "empty")
    assert parse_api_call(failed).error_code == "ValidationException"
    call = create_task_call(TASK_ARN)
    del call["detail"]["eventTime"]
    for missing in MISSING_READINGS:
        assert parse_api_call(transform(transformer, call, missing)).event_time == parse_api_call(call).event_time


@pytest.mark.parametrize("missing", MISSING_READINGS)
def test_a_task_refused_by_a_spending_limit_keeps_its_message_device_and_shots_reduced(transformer, missing):
    """What a refused task's record and notification read (kinds/api_call/refused.py) passes the rule."""
    call = refused_create_task_call()
    whole, reduced = parse_api_call(call), parse_api_call(transform(transformer, call, missing))
    assert is_spending_limit_refusal(reduced)
    assert (reduced.error_code, reduced.error_message) == (whole.error_code, whole.error_message)
    assert reduced.request_parameters == whole.request_parameters
    assert reduced.request_parameters is not None
    assert {"deviceArn", "shots"} <= set(reduced.request_parameters)
    assert refusal_amounts(reduced.error_message or "") == {
        "spendingLimitUsd": "3",
        "currentSpendUsd": "0",
        "estimatedCostUsd": "9.3000000000",
    }


@pytest.mark.parametrize("missing", MISSING_READINGS)
def test_reduced_calls_through_the_real_handler_store_the_same_callers_and_nothing_never_stored(
    transformer, embedded, capsys, missing
):
    calls = [
        create_task_call(TASK_ARN),
        cancel_task_call(TASK_ARN, identity=iam_user()),
        create_job_call(JOB_ARN),
        failed_create_task_call(),
    ]
    embedded.braket.put_task(description("CANCELLED"))
    reduced = [transform(transformer, call, missing) for call in calls]
    for event in [*reduced, task_event("CANCELLED")]:
        embedded.deliver(event)  # each message body is the event as the rule's target sends it
    queued = json.dumps(reduced)
    embedded.drain()
    assert embedded.dead_letters() == []

    log = embedded.audit_log()
    # the calls' own items keep the whole caller: the same caller records as from the whole calls
    task_calls = {item["eventName"]: item for item in log.history(TASK_ARN) if "eventName" in item}
    (job_call,) = [item for item in log.history(JOB_ARN) if item.get("eventName") == "CreateJob"]
    whole = [_without_hyperparameter_names(parse_api_call(call).record()) for call in calls[:3]]
    assert task_calls["CreateQuantumTask"]["createdBy"] == whole[0]["createdBy"]
    assert task_calls["CancelQuantumTask"]["cancelledBy"] == whole[1]["cancelledBy"]
    assert _without_hyperparameter_names({"createdBy": job_call["createdBy"]}) == {"createdBy": whole[2]["createdBy"]}
    # the latest states name who, as from the whole calls
    task, job = log.latest(TASK_ARN), log.latest(JOB_ARN)
    assert task["createdBy"] == principal_only(whole[0]["createdBy"])
    assert task["cancelledBy"] == principal_only(whole[1]["cancelledBy"])
    assert job["createdBy"] == principal_only(whole[2]["createdBy"])
    stored = json.dumps(embedded.dynamodb.scan(TableName="braket-task-audit")["Items"])
    published = json.dumps(embedded.subscriber_messages()) + json.dumps([vars(m) for m in embedded.published])
    logged = capsys.readouterr().out
    for where, text in (("queue", queued), ("table", stored), ("notifications", published), ("logs", logged)):
        for secret in NEVER_STORED:
            assert secret not in text, (where, secret)
    # emails name callers by principal: no source IP, user agent or session by default (README, Privacy)
    assert embedded.published, "the CANCELLED task was announced"
    for message in embedded.published:
        for detail in (whole[0]["createdBy"]["sourceIPAddress"], "marisol", whole[0]["createdBy"]["userAgent"]):
            assert detail not in message.email_text and detail not in message.json_body, detail


def test_the_template_is_json_with_every_placeholder_bare_and_every_variable_used(transformer):
    import re

    template = transformer["InputTemplate"]
    assert '"<' not in template  # a quoted placeholder would put a string inside a string
    used = set(re.findall(r"<([A-Za-z0-9-]+)>", template))
    assert used == set(transformer["InputPathsMap"]) and len(used) <= 100
    assert all(path.startswith("$.") and "[" not in path for path in transformer["InputPathsMap"].values())
    assert len(template) <= 8192  # InputTemplate's limit (EventBridge API Reference, InputTransformer)
