"""Task items under 1 KB (issue 15): what is stored, what readers get back, and items written before.

On moto's DynamoDB, through the store and the read API: a compact item leaves out what its keys hold
and what ``domain.derived`` derives, the latest state leaves one event's facts to its event item, and
the records read back are the records built. Items in the former layout read as they always did."""

from __future__ import annotations

from typing import Any

from task_monitor import audit_schema
from task_monitor.adapters.audit_items import TASK_ITEMS, task_sort_id
from task_monitor.adapters.dynamodb_codec import from_item, to_item
from task_monitor.domain.cost.price_table import PriceTable
from task_monitor.domain.derived import DERIVED_FIELDS
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor_devkit.builders.task import TASK_ARN, TASK_ID, description, task_event
from tests.adapters.conftest import TABLE

PRICES = PriceTable.shipped()
LIFECYCLE = ("CREATED", "QUEUED", "RUNNING", "COMPLETED")
ONE_EVENTS_FACTS = {"arrival", "enrichedAt", "eventName", "queueInfo"}


def _record(status: str, **options: Any) -> dict[str, Any]:
    running = "2026-11-20T11:41:17.000Z" if status == "COMPLETED" else None
    return dict(
        build_record(
            parse_task_event(task_event(status)),
            description(status),
            prices=PRICES,
            running_since=running,
            enriched_at="2026-11-20T12:00:00.000Z",
            arrival={"via": "queue", "messageId": f"m-{status}"},
            **options,
        )
    )


def _items(dynamodb) -> dict[str, dict[str, Any]]:
    return {item["sk"]["S"]: item for item in dynamodb.scan(TableName=TABLE)["Items"]}


def test_a_tasks_items_keep_only_what_no_key_or_derivation_gives(store, dynamodb) -> None:
    for status in LIFECYCLE:
        store.save(_record(status), claim=None)
    items = _items(dynamodb)
    latest = from_item(items.pop(audit_schema.LATEST_SORT_KEY))
    for item in map(from_item, items.values()):
        assert not {"quantumTaskArn", "eventTime", "eventId", "itemType", *DERIVED_FIELDS} & set(item)
        assert "arrival" in item and "queueInfo" in item  # one event's facts: on its own item
    assert not {"quantumTaskArn", "itemType", *ONE_EVENTS_FACTS} & set(latest)
    assert latest["statusAtEnrichment"] == "COMPLETED"  # the latest state's condition reads it
    # The index sort keys: the time first (listings range on it), then the task id's first 8 characters.
    assert latest["statusSortKey"] == f"{latest['eventTime']}#{TASK_ID[:8]}"
    assert (
        latest["deviceSortKey"]
        == f"{latest['createdAt']}#{TASK_ID[:8]}"
        == f"{latest['createdAt']}#" + (task_sort_id(TASK_ARN))
    )


def test_the_records_read_back_are_the_records_built(store, audit_log) -> None:
    built = [_record(status) for status in LIFECYCLE]
    for record in built:
        store.save(record, claim=None)
    assert audit_log.history(TASK_ARN) == built
    whole = {name: value for name, value in built[-1].items() if name not in ONE_EVENTS_FACTS}
    assert audit_log.latest(TASK_ARN) == {**whole, "createdBy": {"principal": "unknown"}}
    (listed,) = audit_log.tasks_by_status("COMPLETED")
    assert listed["quantumTaskArn"] == TASK_ARN and listed["taskId"] == TASK_ID  # from pk, then derived


def test_items_written_before_read_as_they_did_and_a_move_sheds_what_the_latest_state_no_longer_keeps(
    store, audit_log, dynamodb
) -> None:
    # Given a task recorded in the former layout: every field stored, the whole ARN in the sort keys
    queued = _record("QUEUED")
    event_key = {"pk": TASK_ITEMS.key(TASK_ARN), "sk": TASK_ITEMS.event_sort_key(queued)}
    dynamodb.put_item(TableName=TABLE, Item=to_item({**queued, **event_key, "itemType": "EVENT"}))
    legacy_latest = {
        **queued,
        "pk": TASK_ITEMS.key(TASK_ARN),
        "sk": audit_schema.LATEST_SORT_KEY,
        "itemType": "LATEST",
        "statusRank": TASK_ITEMS.rank(queued),
        "statusKey": "STATUS#QUEUED",
        "statusSortKey": f"{queued['eventTime']}#{TASK_ARN}",
        "deviceKey": f"DEVICE#{queued['deviceArn']}",
        "deviceSortKey": f"{queued['createdAt']}#{TASK_ARN}",
    }
    dynamodb.put_item(TableName=TABLE, Item=to_item(legacy_latest))
    # Then it reads as it did
    assert audit_log.history(TASK_ARN) == [queued]
    assert audit_log.latest(TASK_ARN) == queued
    assert [task["quantumTaskArn"] for task in audit_log.tasks_by_status("QUEUED")] == [TASK_ARN]
    # When the task moves on, the latest state is rewritten compact, and the history still reads whole
    running = _record("RUNNING")
    store.save(running, claim=None)
    latest = from_item(_items(dynamodb)[audit_schema.LATEST_SORT_KEY])
    assert not {"quantumTaskArn", "itemType", *DERIVED_FIELDS, *ONE_EVENTS_FACTS} - {"statusAtEnrichment"} & set(latest)
    assert latest["statusSortKey"] == f"{running['eventTime']}#{TASK_ID[:8]}"
    assert audit_log.history(TASK_ARN) == [queued, running]
    assert [task["quantumTaskArn"] for task in audit_log.tasks_on_device(queued["deviceArn"])] == [TASK_ARN]
