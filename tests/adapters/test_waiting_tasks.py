"""Counting the tasks that wait on a device, on moto's DynamoDB, from the tasks' latest states."""

from __future__ import annotations

import pytest

from task_monitor.adapters.waiting_tasks import DynamoWaitingTasks
from task_monitor.audit_schema import STATUS_INDEX
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor_devkit.builders.device import ANKAA
from task_monitor_devkit.builders.task import FORTE, GARNET, description, task_arn, task_event
from tests.adapters.conftest import TABLE


def _task(store, number: int, device: str, *statuses: str) -> str:
    """A task on ``device`` that went through ``statuses`` (its latest state is the last one)."""
    arn = task_arn("us-east-1", f"00000000-0000-4000-8000-{number:012d}")
    for status in statuses:
        event = task_event(status, arn=arn, device=device)
        store.save(build_record(parse_task_event(event), description(status, arn=arn, device=device)), claim=None)
    return arn


@pytest.fixture
def tasks(store) -> dict[str, list[str]]:
    """Forte-1: 2 queued, 1 created, 1 running, 1 completed, 1 cancelled; Garnet: 2 queued; Ankaa: none waiting."""
    return {
        "forte_waiting": [
            _task(store, 1, FORTE, "CREATED", "QUEUED"),
            _task(store, 2, FORTE, "QUEUED"),
            _task(store, 3, FORTE, "CREATED"),
        ],
        "forte_other": [
            _task(store, 4, FORTE, "CREATED", "QUEUED", "RUNNING"),
            _task(store, 5, FORTE, "QUEUED", "RUNNING", "COMPLETED"),
            _task(store, 6, FORTE, "QUEUED", "CANCELLED"),
        ],
        "garnet_waiting": [_task(store, 7, GARNET, "QUEUED"), _task(store, 8, GARNET, "CREATED", "QUEUED")],
        "ankaa_other": [_task(store, 9, ANKAA, "QUEUED", "RUNNING", "FAILED")],
    }


def test_counts_tasks_created_or_queued_on_that_device_only(dynamodb, tasks) -> None:
    waiting = DynamoWaitingTasks(dynamodb, TABLE)
    assert waiting.count(FORTE) == 3
    assert waiting.count(GARNET) == 2
    assert waiting.count(ANKAA) == 0
    assert waiting.count("arn:aws:braket:us-east-1::device/qpu/nobody/Nothing") == 0


def test_asks_only_for_a_count_from_the_two_waiting_status_partitions(dynamodb, tasks) -> None:
    requests: list[dict] = []
    dynamodb.meta.events.register("provide-client-params.dynamodb.*", lambda params, **_: requests.append(params))
    DynamoWaitingTasks(dynamodb, TABLE).count(FORTE)
    assert [r["ExpressionAttributeValues"][":pk"]["S"] for r in requests] == ["STATUS#CREATED", "STATUS#QUEUED"]
    assert {r["IndexName"] for r in requests} == {STATUS_INDEX.name} and {r["Select"] for r in requests} == {"COUNT"}


def test_follows_every_page(dynamodb, tasks) -> None:
    # Given DynamoDB hands back one item per page (as it does past 1 MB read), count every page
    pages: list[int] = []

    def one_item_per_page(params, **_) -> None:
        params["Limit"] = 1

    dynamodb.meta.events.register("provide-client-params.dynamodb.Query", one_item_per_page)
    dynamodb.meta.events.register("after-call.dynamodb.Query", lambda parsed, **_: pages.append(parsed["Count"]))
    assert DynamoWaitingTasks(dynamodb, TABLE).count(FORTE) == 3
    assert len(pages) > 2  # it took more than one page per partition
    assert DynamoWaitingTasks(dynamodb, TABLE).count(GARNET) == 2


def test_audit_log_lists_the_waiting_tasks_the_count_counts(audit_log, tasks) -> None:
    listed = audit_log.tasks_waiting_on_device(FORTE)
    assert sorted(task["quantumTaskArn"] for task in listed) == sorted(tasks["forte_waiting"])
    assert {task["status"] for task in listed} == {"CREATED", "QUEUED"}
    assert audit_log.tasks_waiting_on_device(ANKAA) == []
