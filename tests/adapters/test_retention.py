"""What the store writes expires (moto): history after its retention, callers' details sooner.

moto never deletes an expired item; what is shown here is the expiry each item carries, which
DynamoDB's time to live acts on (the table's TTL setting: tests/infra/test_audit_store.py)."""

from __future__ import annotations

import pytest

from task_monitor import audit_schema
from task_monitor.adapters.audit_store import DynamoAuditStore
from task_monitor.adapters.dynamodb_codec import from_item
from task_monitor.domain.callers import PRINCIPAL_FIELDS
from task_monitor.domain.kinds.api_call.event import parse_api_call
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor.domain.retention import KEEP_EVERYTHING, SECONDS_PER_DAY, Retention
from task_monitor_devkit.builders.api_call import assumed_role, create_task_call
from task_monitor_devkit.builders.task import TASK_ARN, description, task_event
from tests.adapters.conftest import TABLE

NOW = 1_790_000_000.0
DETAILS = {"sessionName", "sourceIPAddress", "userAgent", "principalId", "arn", "userName"}


def _items(dynamodb) -> list[dict]:
    return [from_item(item) for item in dynamodb.scan(TableName=TABLE)["Items"]]


def _state(store: DynamoAuditStore, status: str) -> None:
    store.save(build_record(parse_task_event(task_event(status)), description(status)), claim=None)


def _join(store: DynamoAuditStore) -> None:
    call = parse_api_call(create_task_call(TASK_ARN, identity=assumed_role("QubitWrangler", "marisol")))
    store.join_call(call.record(), call.role)


def test_history_items_expire_after_the_history_retention_and_a_move_refreshes_the_latest_state(dynamodb) -> None:
    clock = [NOW]
    store = DynamoAuditStore(dynamodb, TABLE, now=lambda: clock[0], retention=Retention(history_days=400))
    _state(store, "QUEUED")
    clock[0] += 3600
    _state(store, "COMPLETED")
    items = {item["sk"]: item for item in _items(dynamodb)}
    latest = items.pop(audit_schema.LATEST_SORT_KEY)
    assert latest[audit_schema.EXPIRY_ATTRIBUTE] == int(NOW) + 3600 + 400 * SECONDS_PER_DAY  # from its last move
    queued, completed = sorted(items.values(), key=lambda item: item["sk"])  # EVENT#<eventTime>#...
    assert queued[audit_schema.EXPIRY_ATTRIBUTE] == int(NOW) + 400 * SECONDS_PER_DAY  # from its own write
    assert completed[audit_schema.EXPIRY_ATTRIBUTE] == int(NOW) + 3600 + 400 * SECONDS_PER_DAY


def test_a_calls_details_expire_sooner_and_the_latest_state_keeps_only_who(dynamodb) -> None:
    store = DynamoAuditStore(dynamodb, TABLE, now=lambda: NOW, retention=Retention(400, 90))
    _join(store)  # before any state event: the call makes the latest state
    _state(store, "CREATED")
    items = _items(dynamodb)
    (call,) = [item for item in items if item.get("eventName") == "CreateQuantumTask"]
    (latest,) = [item for item in items if item["sk"] == audit_schema.LATEST_SORT_KEY]
    assert DETAILS - {"userName"} <= set(call["createdBy"])  # the call's own item keeps the details ...
    assert call[audit_schema.EXPIRY_ATTRIBUTE] == int(NOW) + 90 * SECONDS_PER_DAY  # ... for 90 days
    assert set(latest["createdBy"]) <= PRINCIPAL_FIELDS  # the latest state: who, kept with the history
    assert latest["createdBy"]["principal"] == "arn:aws:iam::123456789012:role/QubitWrangler"
    assert latest[audit_schema.EXPIRY_ATTRIBUTE] == int(NOW) + 400 * SECONDS_PER_DAY
    for item in items:
        if item is not call:
            assert not DETAILS & set(item.get("createdBy") or {}), item["sk"]


def test_a_latest_state_made_by_a_call_alone_expires_too(dynamodb) -> None:
    store = DynamoAuditStore(dynamodb, TABLE, now=lambda: NOW, retention=Retention(400, 90))
    _join(store)
    (latest,) = [item for item in _items(dynamodb) if item["sk"] == audit_schema.LATEST_SORT_KEY]
    assert latest[audit_schema.EXPIRY_ATTRIBUTE] == int(NOW) + 400 * SECONDS_PER_DAY
    assert set(latest["createdBy"]) <= PRINCIPAL_FIELDS


@pytest.mark.parametrize("join_first", [True, False])
def test_with_retention_off_nothing_expires(dynamodb, join_first: bool) -> None:
    store = DynamoAuditStore(dynamodb, TABLE, now=lambda: NOW, retention=KEEP_EVERYTHING)
    steps = [lambda: _join(store), lambda: _state(store, "COMPLETED")]
    for step in steps if join_first else reversed(steps):
        step()
    assert all(audit_schema.EXPIRY_ATTRIBUTE not in item for item in _items(dynamodb))


def test_the_reader_never_sees_the_expiry(dynamodb, audit_log) -> None:
    _state(DynamoAuditStore(dynamodb, TABLE, now=lambda: NOW), "COMPLETED")
    assert audit_schema.EXPIRY_ATTRIBUTE not in audit_log.latest(TASK_ARN)
    assert all(audit_schema.EXPIRY_ATTRIBUTE not in event for event in audit_log.history(TASK_ARN))
