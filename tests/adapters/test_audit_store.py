"""The audit table on moto's DynamoDB: one record per distinct event, a latest state that never goes back."""

from __future__ import annotations

from task_monitor.domain.events import parse_task_event
from task_monitor.domain.monitor import SaveOutcome
from task_monitor.domain.record import build_record
from tests.support.factories import GARNET, TASK_ARN, description, task_arn, task_event


def _record(status: str, **event_fields) -> dict:
    return build_record(parse_task_event(task_event(status, **event_fields)), description(status))


def test_new_event_is_written_in_one_round_trip(store, audit_log, table_calls) -> None:
    # Given an empty table, When a QUEUED event is saved
    outcome = store.save(_record("QUEUED"), notify=False)
    # Then one transaction wrote the event and the latest state
    assert outcome is SaveOutcome.RECORDED
    assert table_calls == ["TransactWriteItems"]
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["QUEUED"]
    assert audit_log.latest(TASK_ARN)["status"] == "QUEUED"


def test_records_come_back_as_plain_values_with_api_names(store, audit_log) -> None:
    record = _record("COMPLETED")
    store.save(record, notify=False)
    (stored,) = audit_log.history(TASK_ARN)
    assert stored == record  # no storage keys, ints stay ints, maps stay maps
    assert isinstance(stored["shots"], int)


def test_duplicate_delivery_changes_nothing(store, audit_log, dynamodb) -> None:
    record = _record("RUNNING")
    store.save(record, notify=False)
    before = dynamodb.scan(TableName="audit-under-test")["Items"]
    assert store.save(record, notify=False) is SaveOutcome.DUPLICATE
    assert dynamodb.scan(TableName="audit-under-test")["Items"] == before


def test_duplicate_of_an_unannounced_event_says_so_until_marked(store) -> None:
    record = _record("COMPLETED")
    store.save(record, notify=True)
    assert store.save(record, notify=True) is SaveOutcome.DUPLICATE_UNANNOUNCED
    store.mark_notified(record)
    assert store.save(record, notify=True) is SaveOutcome.DUPLICATE


def test_late_event_is_recorded_but_never_moves_the_latest_state_back(store, audit_log) -> None:
    # Given a task already COMPLETED
    store.save(_record("RUNNING"), notify=False)
    store.save(_record("COMPLETED"), notify=False)
    # When its QUEUED event arrives late
    outcome = store.save(_record("QUEUED"), notify=False)
    # Then it joins the history in event-time order and the latest state stays COMPLETED
    assert outcome is SaveOutcome.RECORDED_LATE
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["QUEUED", "RUNNING", "COMPLETED"]
    assert audit_log.latest(TASK_ARN)["status"] == "COMPLETED"
    # And a redelivery of the late event is a duplicate
    assert store.save(_record("QUEUED"), notify=False) is SaveOutcome.DUPLICATE


def test_events_in_the_same_second_keep_lifecycle_order(store, audit_log) -> None:
    same_second = "2026-11-20T09:00:02Z"
    store.save(_record("QUEUED", time=same_second), notify=False)
    store.save(_record("CREATED", time=same_second), notify=False)
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["CREATED", "QUEUED"]
    assert audit_log.latest(TASK_ARN)["status"] == "QUEUED"


def test_unknown_status_is_audited_without_touching_the_latest_state(store, audit_log) -> None:
    store.save(_record("RUNNING"), notify=False)
    assert store.save(_record("PAUSED", time="2026-11-20T11:42:00Z"), notify=False) is SaveOutcome.RECORDED_LATE
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["RUNNING", "PAUSED"]
    assert audit_log.latest(TASK_ARN)["status"] == "RUNNING"


def test_running_since_finds_the_running_event_time(store) -> None:
    assert store.running_since(TASK_ARN) is None
    store.save(_record("QUEUED"), notify=False)
    store.save(_record("RUNNING"), notify=False)
    assert store.running_since(TASK_ARN) == "2026-11-20T11:41:17.000Z"


def test_indexes_answer_tasks_by_device_job_and_status(store, audit_log) -> None:
    # Given three tasks: two on Forte-1 (one of them in a job), one on Garnet
    job = "arn:aws:braket:us-east-1:123456789012:job/sweep"
    first, second, third = task_arn(task_id="a" * 8), task_arn(task_id="b" * 8), task_arn("eu-north-1", "c" * 8)
    store.save(
        build_record(parse_task_event(task_event("COMPLETED", arn=first)), description(jobArn=job)), notify=False
    )
    store.save(
        build_record(
            parse_task_event(task_event("RUNNING", arn=second, createdAt="2026-11-21T08:00:00Z")),
            None,
        ),
        notify=False,
    )
    store.save(_record("FAILED", arn=third, device=GARNET), notify=False)

    forte = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
    assert [r["quantumTaskArn"] for r in audit_log.tasks_on_device(forte)] == [first, second]
    assert [r["quantumTaskArn"] for r in audit_log.tasks_on_device(forte, "2026-11-21", "2026-11-22")] == [second]
    assert [r["quantumTaskArn"] for r in audit_log.tasks_of_job(job)] == [first]
    assert [r["quantumTaskArn"] for r in audit_log.tasks_by_status("FAILED")] == [third]
    assert audit_log.tasks_by_status("COMPLETED", "2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z")[0]["status"] == (
        "COMPLETED"
    )
    assert audit_log.tasks_by_status("COMPLETED", "2026-11-21", "2026-11-22") == []


def test_index_membership_follows_the_latest_state(store, audit_log) -> None:
    store.save(_record("RUNNING"), notify=False)
    store.save(_record("COMPLETED"), notify=False)
    assert audit_log.tasks_by_status("RUNNING") == []
    assert len(audit_log.tasks_by_status("COMPLETED")) == 1


def test_latest_of_an_unknown_task_is_none(audit_log) -> None:
    assert audit_log.latest(TASK_ARN) is None
    assert audit_log.history(TASK_ARN) == []
