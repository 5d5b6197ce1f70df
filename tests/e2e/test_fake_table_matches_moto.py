"""The burst's DynamoDB fake (``task_monitor_devkit.http_answers.FakeAuditTable``) is shown equal to moto.

``test_burst.py`` checks its 10,000 events against the fake, never against moto (too slow for that
many). Here the same few hundred events (every kind: tasks of every ending, a hybrid job and its
tasks, CloudTrail create and cancel calls, a device going OFFLINE and back; duplicates; shuffled, so
late events meet newer latest states) go once through the real handler on moto's DynamoDB and once
on the fake, and must leave the same items and the same notifications.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from task_monitor_devkit.builders.api_call import cancel_task_call, create_task_call, iam_user
from task_monitor_devkit.builders.device import device_event
from task_monitor_devkit.builders.job import job_description, job_event, job_task_description, job_task_events
from task_monitor_devkit.builders.task import FORTE, description, task_arn, task_event
from task_monitor_devkit.embedded import TABLE_NAME, EmbeddedAws
from task_monitor_devkit.http_answers import FakeAuditTable, installed, moto_skips_answered

TASKS = 40
ENDINGS = ("COMPLETED", "FAILED", "CANCELLED")
DUPLICATE_SHARE = 0.1
CHUNK = 25  # events put on the queue, then drained, at a time
# Written from the wall clock or a fresh UUID at processing time: equal in kind, never in value
# (present on both sides: _typed keeps their names).
VOLATILE = frozenset({"claimId", "claimedAt", "enrichedAt", "expiresAt"})


def _world() -> tuple[list[dict[str, Any]], list[tuple[str, Any]]]:
    """The deliveries (shuffled, with duplicates) and what Braket describes."""
    rng = random.Random(20261202)
    events: list[dict[str, Any]] = []
    described: list[tuple[str, Any]] = []
    for number in range(TASKS):
        arn = task_arn(task_id=f"fa4e0000-0000-4000-8000-{number:012d}")
        final = ENDINGS[number % len(ENDINGS)]
        lifecycle = ["CREATED", "QUEUED", "RUNNING", *(["CANCELLING"] if final == "CANCELLED" else []), final]
        events += [task_event(status, arn=arn, device=FORTE) for status in lifecycle]
        described.append(("task", description(final, arn=arn, device=FORTE)))
        if final == "CANCELLED" and number < 9:  # CloudTrail saw who created and cancelled some of them
            events += [create_task_call(arn), cancel_task_call(arn, identity=iam_user())]
    events += [job_event(status) for status in ("QUEUED", "RUNNING", "COMPLETED")]
    described.append(("job", job_description("COMPLETED")))
    for number in (1, 2):
        events += job_task_events(number)
        described.append(("task", job_task_description(number)))
    events += [
        device_event("OFFLINE", time="2026-11-21T06:00:04Z"),
        device_event("ONLINE", time="2026-11-21T09:30:00Z"),
        device_event("OFFLINE", time="2026-11-21T08:00:00Z"),  # late: after ONLINE
    ]
    deliveries = events + rng.sample(events, int(len(events) * DUPLICATE_SHARE))
    rng.shuffle(deliveries)
    return deliveries, described


def _typed(value: Any) -> Any:
    """An item as DynamoDB holds it, volatile values blanked, for comparison: the SQS message id in
    ``arrival`` is each run's own (the queue's), how the event arrived is not."""
    typed = {name: ("volatile" if name in VOLATILE else attribute) for name, attribute in value.items()}
    if isinstance(typed.get("arrival"), dict):
        typed_map = "M" in typed["arrival"]  # an item's attribute, or a notification's plain JSON
        arrival = dict(typed["arrival"]["M"] if typed_map else typed["arrival"])
        arrival.pop("messageId", None)
        typed["arrival"] = {"M": arrival} if typed_map else arrival
    return typed


def _run(deliveries: list[dict[str, Any]], described: list[tuple[str, Any]], table: FakeAuditTable | None):
    with contextlib.ExitStack() as stack:
        aws = stack.enter_context(EmbeddedAws())
        if table is not None:
            stack.enter_context(installed(table))
            stack.enter_context(moto_skips_answered())
            aws.dynamodb.delete_table(TableName=TABLE_NAME)  # the fake holds the audit table
        aws.load_handler()
        for kind, what in described:
            (aws.braket.put_task if kind == "task" else aws.braket.put_job)(what)
        retried = 0
        for first in range(0, len(deliveries), CHUNK):
            aws.deliver(*deliveries[first : first + CHUNK])
            retried += sum(len(batch.retried) for batch in aws.drain())
        assert aws.queued_events() == 0 and aws.dead_letters() == []
        if table is None:
            pages = aws.dynamodb.get_paginator("scan").paginate(TableName=TABLE_NAME)
            raw = [item for page in pages for item in page["Items"]]
        else:
            raw = [item for partition in table.items.values() for item in partition.values()]
        items = {(item["pk"]["S"], item["sk"]["S"]): _typed(item) for item in raw}
        notifications = sorted(
            (json.dumps(_typed(message.json_body), sort_keys=True) for message in aws.published),
        )
        return items, notifications, retried


@pytest.fixture(scope="module")
def both() -> Iterator[dict[str, Any]]:
    deliveries, described = _world()
    moto = _run(deliveries, described, None)
    table = FakeAuditTable()
    fake = _run(deliveries, described, table)
    yield {"deliveries": deliveries, "moto": moto, "fake": fake, "calls": table.calls}


@pytest.mark.slow
def test_the_fake_and_moto_hold_the_same_items(both) -> None:
    moto_items, fake_items = both["moto"][0], both["fake"][0]
    assert len(both["deliveries"]) > 200
    assert set(fake_items) == set(moto_items), sorted(set(fake_items) ^ set(moto_items))[:5]
    different = [key for key in moto_items if moto_items[key] != fake_items[key]]
    assert not different, [(key, moto_items[key], fake_items[key]) for key in different[:2]]
    # Every kind and path was there: latest states of each kind, late and duplicate events
    partitions = {pk.split("#", 1)[0] for pk, _ in moto_items}
    assert partitions == {"TASK", "JOB", "DEVICE"}
    # Every DynamoDB operation the function calls reached the fake
    assert set(both["calls"]) == {"GetItem", "PutItem", "UpdateItem", "Query", "TransactWriteItems"}


@pytest.mark.slow
def test_the_fake_and_moto_send_the_same_notifications(both) -> None:
    moto_messages, fake_messages = both["moto"][1], both["fake"][1]
    assert moto_messages == fake_messages
    kinds = {json.loads(message).get("kind") for message in moto_messages}
    assert {"task", "job", "device"} <= kinds, kinds
    assert both["moto"][2] == both["fake"][2]  # the same messages handed back for a retry
