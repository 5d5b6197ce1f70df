"""Joining CloudTrail calls onto the audit table (moto): once per event, in any order with the state events."""

from __future__ import annotations

import json

import pytest

from task_monitor.adapters.audit_items import JOB_ITEMS
from task_monitor.adapters.audit_store import DynamoAuditStore
from task_monitor.domain.kinds.api_call.event import parse_api_call
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor.domain.ports import SaveOutcome
from task_monitor_devkit.builders.api_call import (
    JOB_ARN,
    NEVER_STORED,
    aws_service,
    cancel_job_call,
    cancel_task_call,
    create_job_call,
    create_task_call,
    iam_user,
)
from task_monitor_devkit.builders.task import TASK_ARN, description, task_event
from tests.adapters.conftest import TABLE

ROLE = "arn:aws:iam::123456789012:role/QubitWrangler"
USER = "arn:aws:iam::123456789012:user/tomasz"
UNKNOWN = {"principal": "unknown"}


def _join(store: DynamoAuditStore, event: dict) -> SaveOutcome:
    call = parse_api_call(event)
    return store.join_call(call.record(), call.role)


def _state(store: DynamoAuditStore, status: str) -> SaveOutcome:
    record = build_record(parse_task_event(task_event(status)), description(status))
    return store.save(record, claim=None)


def _job_record(status: str, event_time: str, event_id: str) -> dict:
    """A job state record as the job pipeline (built in parallel) will save it: the fields the store needs."""
    return {"eventId": event_id, "eventTime": event_time, "jobArn": JOB_ARN, "status": status}


@pytest.fixture
def job_store(dynamodb) -> DynamoAuditStore:
    return DynamoAuditStore(dynamodb, TABLE, kind=JOB_ITEMS)


def test_call_before_any_state_leaves_a_latest_state_with_only_the_caller(store, audit_log, table_calls) -> None:
    assert _join(store, create_task_call(TASK_ARN)) is SaveOutcome.RECORDED
    assert table_calls == ["TransactWriteItems"]  # the history item and the caller: one write
    latest = audit_log.latest(TASK_ARN)
    assert set(latest) == {"createdBy"} and latest["createdBy"]["principal"] == ROLE
    assert audit_log.tasks_by_status("CREATED") == []  # not listed: it has no status yet
    # Then the first state event still applies, and keeps the caller
    assert _state(store, "CREATED") is SaveOutcome.RECORDED
    latest = audit_log.latest(TASK_ARN)
    assert (latest["status"], latest["createdBy"]["principal"]) == ("CREATED", ROLE)
    assert [r["quantumTaskArn"] for r in audit_log.tasks_by_status("CREATED")] == [TASK_ARN]


def test_state_without_a_call_says_unknown_until_the_call_comes(store, audit_log) -> None:
    _state(store, "QUEUED")
    assert audit_log.latest(TASK_ARN)["createdBy"] == UNKNOWN
    assert "cancelledBy" not in audit_log.latest(TASK_ARN)  # not being cancelled
    assert _join(store, create_task_call(TASK_ARN)) is SaveOutcome.RECORDED
    _state(store, "COMPLETED")  # a later state event does not put "unknown" back
    latest = audit_log.latest(TASK_ARN)
    assert (latest["status"], latest["createdBy"]["principal"]) == ("COMPLETED", ROLE)


def test_call_item_ranks_nowhere_and_never_moves_the_latest_state(store, audit_log) -> None:
    _state(store, "RUNNING")
    _join(store, create_task_call(TASK_ARN, event_time="2026-11-20T12:30:00Z"))  # later than RUNNING
    latest = audit_log.latest(TASK_ARN)
    assert latest["status"] == "RUNNING" and latest["eventTime"] != "2026-11-20T12:30:00.000Z"
    history = audit_log.history(TASK_ARN)
    assert [(r.get("status"), r["eventName"]) for r in history] == [
        ("RUNNING", "MODIFY"),
        (None, "CreateQuantumTask"),
    ]


def test_same_event_twice_is_written_once(store, audit_log, dynamodb) -> None:
    event = create_task_call(TASK_ARN)
    _join(store, event)
    before = dynamodb.scan(TableName=TABLE)["Items"]
    assert _join(store, event) is SaveOutcome.DUPLICATE
    assert dynamodb.scan(TableName=TABLE)["Items"] == before


def test_the_same_call_under_another_event_id_is_kept_in_the_history_and_joined_once(store, audit_log) -> None:
    _join(store, create_task_call(TASK_ARN))
    again = create_task_call(TASK_ARN, event_id="another-delivery-of-the-create")
    assert _join(store, again) is SaveOutcome.RECORDED_LATE
    assert len(audit_log.history(TASK_ARN)) == 2
    assert audit_log.latest(TASK_ARN)["createdBy"]["principal"] == ROLE
    assert store.history_facts(TASK_ARN).created_by["principal"] == ROLE


def test_a_real_creator_is_never_replaced(store, audit_log) -> None:
    _join(store, create_task_call(TASK_ARN))
    other = create_task_call(TASK_ARN, identity=iam_user(), event_time="2026-11-20T08:00:00Z")
    assert _join(store, other) is SaveOutcome.RECORDED_LATE
    assert audit_log.latest(TASK_ARN)["createdBy"]["principal"] == ROLE


def test_of_several_cancels_the_earliest_is_kept_in_either_order(store, audit_log) -> None:
    _state(store, "CANCELLING")
    assert audit_log.latest(TASK_ARN)["cancelledBy"] == UNKNOWN
    late = cancel_task_call(TASK_ARN, identity=iam_user(), event_time="2026-11-20T10:40:00Z")
    early = cancel_task_call(TASK_ARN, event_time="2026-11-20T10:30:00Z")
    assert _join(store, late) is SaveOutcome.RECORDED  # replaces unknown
    assert _join(store, early) is SaveOutcome.RECORDED  # earlier: replaces the later one
    assert _join(store, cancel_task_call(TASK_ARN, identity=iam_user(), event_time="2026-11-20T10:50:00Z")) is (
        SaveOutcome.RECORDED_LATE
    )
    assert audit_log.latest(TASK_ARN)["cancelledBy"]["principal"] == ROLE
    assert store.history_facts(TASK_ARN).cancelled_by["principal"] == ROLE
    assert len([r for r in audit_log.history(TASK_ARN) if r["eventName"] == "CancelQuantumTask"]) == 3


def test_history_facts_name_creator_canceller_and_running_time_in_one_query(store, table_calls) -> None:
    _join(store, create_task_call(TASK_ARN))
    for status in ("CREATED", "QUEUED", "RUNNING"):
        _state(store, status)
    _join(store, cancel_task_call(TASK_ARN, identity=aws_service()))
    table_calls.clear()
    facts = store.history_facts(TASK_ARN)
    assert table_calls == ["Query"]
    assert facts.running_since == "2026-11-20T11:41:17.000Z"
    assert facts.created_by["principal"] == ROLE
    assert facts.cancelled_by["principal"] == "AWSService:braket.amazonaws.com"


def test_history_facts_without_calls_name_nobody(store) -> None:
    _state(store, "RUNNING")
    facts = store.history_facts(TASK_ARN)
    assert (facts.running_since, facts.created_by, facts.cancelled_by) == ("2026-11-20T11:41:17.000Z", None, None)


def test_cancelling_state_after_a_cancel_call_keeps_the_canceller(store, audit_log) -> None:
    _state(store, "RUNNING")
    _join(store, cancel_task_call(TASK_ARN, identity=iam_user()))
    _state(store, "CANCELLING")
    _state(store, "CANCELLED")
    latest = audit_log.latest(TASK_ARN)
    assert (latest["status"], latest["cancelledBy"]["principal"]) == ("CANCELLED", USER)


def test_nothing_secret_reaches_the_table(store, dynamodb, job_store) -> None:
    for event in (create_task_call(TASK_ARN, job_token=True), cancel_task_call(TASK_ARN)):
        _join(store, event)
    for event in (create_job_call(JOB_ARN), cancel_job_call(JOB_ARN)):
        _join(job_store, event)
    stored = json.dumps(dynamodb.scan(TableName=TABLE)["Items"])
    for secret in NEVER_STORED:
        assert secret not in stored
    for name in ("accessKeyId", "sessionToken", "jobToken", "clientToken", '"action"', "hyperParameters"):
        assert name not in stored


# -- jobs (their state pipeline is built in parallel: the join is tested at the store) -------------
def test_job_call_before_and_after_its_states(job_store, audit_log) -> None:
    assert _join(job_store, create_job_call(JOB_ARN)) is SaveOutcome.RECORDED
    assert audit_log.latest(JOB_ARN)["createdBy"]["principal"] == ROLE
    job_store.save(_job_record("QUEUED", "2026-11-21T08:15:00.000Z", "job-queued"), claim=None)
    job_store.save(_job_record("CANCELLING", "2026-11-21T09:02:45.000Z", "job-cancelling"), claim=None)
    latest = audit_log.latest(JOB_ARN)
    assert (latest["status"], latest["createdBy"]["principal"], latest["cancelledBy"]) == ("CANCELLING", ROLE, UNKNOWN)
    _join(job_store, cancel_job_call(JOB_ARN, identity=iam_user()))
    assert audit_log.latest(JOB_ARN)["cancelledBy"]["principal"] == USER
    assert [r["eventName"] for r in audit_log.history(JOB_ARN) if "eventName" in r] == ["CreateJob", "CancelJob"]
    facts = job_store.history_facts(JOB_ARN)
    assert (facts.created_by["principal"], facts.cancelled_by["principal"]) == (ROLE, USER)


def test_job_state_without_a_call_says_unknown(job_store, audit_log) -> None:
    job_store.save(_job_record("RUNNING", "2026-11-21T08:20:00.000Z", "job-running"), claim=None)
    assert audit_log.latest(JOB_ARN)["createdBy"] == UNKNOWN


def test_task_and_job_calls_stay_in_their_own_partitions(store, job_store, audit_log) -> None:
    _join(store, create_task_call(TASK_ARN))
    _join(job_store, create_job_call(JOB_ARN, identity=iam_user()))
    assert audit_log.latest(TASK_ARN)["createdBy"]["principal"] == ROLE
    assert audit_log.latest(JOB_ARN)["createdBy"]["principal"] == USER


def test_devices_never_get_a_caller(dynamodb, audit_log) -> None:
    from task_monitor.adapters.audit_items import DEVICE_ITEMS

    device = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
    DynamoAuditStore(dynamodb, TABLE, kind=DEVICE_ITEMS).save(
        {"eventId": "d1", "eventTime": "2026-11-23T06:00:04.000Z", "deviceArn": device, "status": "OFFLINE"},
        claim=None,
    )
    latest = audit_log.latest(device)
    assert latest["status"] == "OFFLINE" and "createdBy" not in latest


def test_a_kept_call_is_in_the_history_but_names_nobody_on_the_latest_state_or_in_history_facts(
    store, audit_log
) -> None:
    from task_monitor.domain.arrival import Arrival

    forged = parse_api_call(create_task_call(TASK_ARN, identity=iam_user("mallory"), event_id="forged"))
    kept = forged.record(Arrival.direct().field())
    assert store.keep_call(kept) is SaveOutcome.RECORDED_LATE
    assert store.keep_call(kept) is SaveOutcome.DUPLICATE
    assert _state(store, "CREATED") is SaveOutcome.RECORDED
    assert audit_log.latest(TASK_ARN)["createdBy"]["principal"] == "unknown"
    assert store.history_facts(TASK_ARN).created_by is None  # the kept call does not count
    (call,) = [item for item in audit_log.history(TASK_ARN) if item["eventId"] == "forged"]
    assert call["arrival"] == {"via": "direct"} and call["createdBy"]["principal"].endswith(":user/mallory")
    # The same call through the events queue would count, as would one stored before arrivals were kept
    real = parse_api_call(create_task_call(TASK_ARN)).record(Arrival.from_queue("m-1", "q", "q").field())
    assert store.join_call(real, "createdBy") is SaveOutcome.RECORDED
    assert store.history_facts(TASK_ARN).created_by["principal"] == audit_log.latest(TASK_ARN)["createdBy"]["principal"]
