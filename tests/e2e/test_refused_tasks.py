"""Tasks a spending limit refused, end to end through the real handler (moto): recorded once under
``REFUSED_TASK#<deviceArn>``, announced once naming who tried when the call came through the events
queue, recorded and marked but naming nobody (and not announced) when invoked directly; any other
refused call written nowhere. Then the same under injected faults (the fault harness)."""

from __future__ import annotations

import pytest

from task_monitor.adapters.dynamodb_codec import from_item
from task_monitor_devkit.builders.api_call import failed_create_task_call, iam_user, refused_create_task_call
from task_monitor_devkit.builders.task import FORTE
from task_monitor_devkit.embedded import TABLE_NAME
from tests.support.fault_plan import Fault, FaultPlan, kinds_for
from tests.support.fault_runs import FaultEnvironment, check_guarantee, fault_run, record_stats

TOMASZ = "arn:aws:iam::123456789012:user/tomasz"


def _items(aws) -> list[dict]:
    return [from_item(item) for item in aws.dynamodb.scan(TableName=TABLE_NAME)["Items"]]


def test_a_refused_task_through_the_queue_is_recorded_once_and_announced_once(embedded) -> None:
    refused = refused_create_task_call(identity=iam_user("tomasz"))
    embedded.deliver(refused, refused, failed_create_task_call())  # a duplicate, and another refused call
    embedded.drain()
    assert embedded.dead_letters() == []
    (item,) = _items(embedded)
    assert item["pk"] == f"REFUSED_TASK#{FORTE}" and item["eventId"] == refused["id"]
    assert item["attemptedBy"]["principal"] == TOMASZ and item["notification"] == "SENT"
    assert item["refusal"]["estimatedCostUsd"] == "9.3000000000" and item["arrival"]["via"] == "queue"
    (envelope,) = embedded.subscriber_messages()
    assert envelope["Record"]["kind"] == "refused_task" and envelope["Record"]["attemptedBy"]["principal"] == TOMASZ
    assert "OPENQASM" not in str(_items(embedded)) and "OPENQASM" not in str(envelope)


def test_a_refused_task_invoked_directly_is_recorded_marked_and_names_nobody(embedded) -> None:
    invocation = embedded.invoke(refused_create_task_call(identity=iam_user("mallory")))
    assert invocation.succeeded
    (item,) = _items(embedded)
    assert item["arrival"] == {"via": "direct"} and "attemptedBy" not in item
    assert item["notification"] == "NOT_WANTED" and "mallory" not in str(item)
    assert embedded.subscriber_messages() == []


# -- under injected faults: recorded once, announced at least once, repeated only where excused -----------
REFUSALS = [
    refused_create_task_call(identity=iam_user("tomasz"), event_id="refused-1"),
    refused_create_task_call(identity=iam_user("ana"), event_id="refused-2", device_arn=FORTE),
]


@pytest.fixture(scope="module")
def environment():
    with FaultEnvironment() as shared:
        yield shared


@pytest.mark.parametrize(
    "fault",
    [
        Fault(operation, index, kind, scope=scope)
        for operation, scope in (
            ("PutItem", "REFUSED_TASK"),
            ("UpdateItem", "REFUSED_TASK"),
            ("Publish", "refused_task"),
        )
        for index in (0, 1)
        for kind in kinds_for(operation)
    ],
    ids=lambda fault: f"{fault.operation}-{fault.index}-{fault.kind}",
)
def test_refused_tasks_are_recorded_and_announced_once_under_each_fault(environment, fault: Fault) -> None:
    plan = FaultPlan([fault])
    with fault_run(environment, plan) as run:
        run.deliver(*REFUSALS, REFUSALS[0])
        run.drain(batch_size=2)
        verdict = check_guarantee(run, REFUSALS, [], notified=lambda event: True)
    record_stats(run, verdict, REFUSALS, "refused tasks matrix")
