"""A burst: 10,000 distinct events (2,500 tasks of a program set, each CREATED, QUEUED, RUNNING,
COMPLETED) plus 500 duplicate deliveries (5 %), shuffled, through ONE warm handler in SQS batches of 10.

How moto's cost is bounded: **DynamoDB is answered at botocore's HTTP layer by a small in-process
fake** (``task_monitor_devkit.http_answers.FakeAuditTable``: the operations the function calls,
its condition, key-condition, filter and update expressions evaluated for real, O(1) per write;
shown equal to moto on a smaller workload of every kind in ``test_fake_table_matches_moto.py``).
moto 5.2.5's DynamoDB deep-copies the whole table on every TransactWriteItems and walks each update
expression's tree many times: measured here at about 50 ms per event even with the table reset every
100 items, and its RSS grew by about 90 MB per 100 events, so 10,500 events would take about 9
minutes and gigabytes. moto still serves SQS (the events queue, batches, partial batch responses,
redrive to the dead-letter queue) and SNS (the topic and its subscriber queues); its audit table is
deleted (nothing reaches it), and ``moto_skips_answered`` makes moto pass over the requests the fake answered (botocore
calls every before-send handler). moto's SQS scans a whole queue per receive, so events are
delivered 200 at a time and drained (with the notification subscriber's queue) before the next.
"""

from __future__ import annotations

import random
import resource
import time
import uuid
from collections import Counter

import pytest

from task_monitor.adapters.audit_items import record_from_item
from task_monitor_devkit.builders.task import description, task_arn, task_event
from task_monitor_devkit.embedded import TABLE_NAME, EmbeddedAws
from task_monitor_devkit.http_answers import FakeAuditTable, installed, moto_skips_answered

TASKS = 2_500
STATUSES = ("CREATED", "QUEUED", "RUNNING", "COMPLETED")
DUPLICATE_SHARE = 0.05
# Events put on the queue at a time, then drained, with the notification subscriber's queue: moto's SQS
# scans a whole queue on each receive, so short queues keep its cost per message flat.
DELIVERY_CHUNK = 100
PROGRAM_SET = {"actionType": "braket.ir.openqasm.program_set", "programCount": 3, "executableCount": 12}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.slow
def test_a_burst_of_10_000_events_is_all_recorded_none_lost_and_each_completion_announced_once(sleeps, capsys) -> None:
    rng = random.Random(20261124)
    table = FakeAuditTable()
    with EmbeddedAws() as aws, installed(table), moto_skips_answered():
        aws.dynamodb.delete_table(TableName=TABLE_NAME)  # the fake holds the audit table
        aws.load_handler()  # after ``installed``: the handler's clients get the fake, ahead of moto
        distinct = []
        for _ in range(TASKS):
            arn = task_arn(task_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)))
            aws.braket.put_task(description("COMPLETED", arn=arn, actionMetadata=PROGRAM_SET))
            distinct += [task_event(status, arn=arn) for status in STATUSES]
        deliveries = distinct + rng.sample(distinct, int(len(distinct) * DUPLICATE_SHARE))
        rng.shuffle(deliveries)

        rss_before, started, cpu_started = _rss_mb(), time.perf_counter(), time.process_time()
        batches, delivered = [], []
        for first in range(0, len(deliveries), DELIVERY_CHUNK):
            aws.deliver(*deliveries[first : first + DELIVERY_CHUNK])
            batches += aws.drain()
            delivered += [envelope["Record"]["eventId"] for envelope in aws.subscriber_messages()]
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started

        # None lost: every message was handled on its first receive; both queues are empty
        assert sum(len(batch.message_ids) for batch in batches) == len(deliveries)
        assert all(batch.retried == [] for batch in batches)
        assert all(len(batch.message_ids) <= 10 for batch in batches)
        assert aws.queued_events() == 0
        assert aws.dead_letters() == []
        # All recorded: one event item per distinct event, and each task's latest state is COMPLETED
        expected = {event["id"] for event in distinct}
        recorded = Counter(  # read as the store reads them: a compact item's id is in its sort key
            record_from_item(item)["eventId"]
            for partition in table.items.values()
            for sort_key, item in partition.items()
            if sort_key.startswith("EVENT#")
        )
        assert set(recorded) == expected and set(recorded.values()) == {1}
        assert len(table.items) == TASKS
        assert Counter(partition["LATEST"]["status"]["S"] for partition in table.items.values()) == {"COMPLETED": TASKS}
        # Notifications: one per task's completion, none for a duplicate
        completed = {event["id"] for event in distinct if event["detail"]["status"] == "COMPLETED"}
        published = [message.json_body["eventId"] for message in aws.published]
        assert len(published) == TASKS and set(published) == completed
        assert len(delivered) == TASKS and set(delivered) == completed
        assert all(
            item["notification"]["S"] == "SENT"
            for partition in table.items.values()
            for item in partition.values()
            if item.get("status", {}).get("S") == "COMPLETED" and item["sk"]["S"].startswith("EVENT#")
        )

    with capsys.disabled():
        print(
            f"\nburst: {len(deliveries):,} deliveries ({len(distinct):,} distinct, "
            f"{len(deliveries) - len(distinct)} duplicates) in {len(batches):,} batches through one warm handler: "
            f"{seconds:.1f} s wall, {cpu_seconds:.1f} s CPU ({seconds / len(deliveries) * 1000:.2f} ms per delivery, "
            f"moto SQS/SNS included); peak RSS of the test process {_rss_mb():.0f} MB "
            f"(before the burst {rss_before:.0f} MB); "
            f"DynamoDB calls {dict(sorted(table.calls.items()))}; {len(published):,} notifications"
        )
