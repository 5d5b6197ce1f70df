"""The audit table on moto's DynamoDB: one record per distinct event, a latest state that never goes back."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from task_monitor.adapters.audit_items import JOB_ITEMS, TASK_ITEMS
from task_monitor.adapters.audit_store import DynamoAuditStore
from task_monitor.adapters.notification_claims import CLAIM_TIMEOUT_SECONDS
from task_monitor.domain.enrichment import EnrichmentFailure
from task_monitor.domain.kinds.job.event import parse_job_event
from task_monitor.domain.kinds.job.record import build_job_record
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor.domain.ports import SaveOutcome
from task_monitor.errors import NotificationInProgressError, RequestRefusedError
from task_monitor_devkit.builders.job import JOB_ARN, job_description, job_event
from task_monitor_devkit.builders.task import GARNET, TASK_ARN, description, task_arn, task_event
from tests.support.faults import ConnectionFault, ErrorAnswer


def _record(status: str, **event_fields) -> dict:
    return build_record(parse_task_event(task_event(status, **event_fields)), description(status))


def test_new_event_is_written_in_one_round_trip(store, audit_log, table_calls) -> None:
    # Given an empty table, When a QUEUED event is saved
    outcome = store.save(_record("QUEUED"), claim=None)
    # Then one transaction wrote the event and the latest state
    assert outcome is SaveOutcome.RECORDED
    assert table_calls == ["TransactWriteItems"]
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["QUEUED"]
    assert audit_log.latest(TASK_ARN)["status"] == "QUEUED"


def test_records_come_back_as_plain_values_with_api_names(store, audit_log) -> None:
    record = _record("COMPLETED")
    store.save(record, claim=None)
    (stored,) = audit_log.history(TASK_ARN)
    assert stored == record  # no storage keys, ints stay ints, maps stay maps
    assert isinstance(stored["shots"], int)


def test_duplicate_delivery_changes_nothing(store, audit_log, dynamodb) -> None:
    record = _record("RUNNING")
    store.save(record, claim=None)
    before = dynamodb.scan(TableName="audit-under-test")["Items"]
    assert store.save(record, claim=None) is SaveOutcome.DUPLICATE
    assert dynamodb.scan(TableName="audit-under-test")["Items"] == before


def test_duplicate_of_an_event_being_published_by_another_attempt_waits(store) -> None:
    # Given attempt A recorded the event and is publishing it
    record = _record("COMPLETED")
    store.save(record, claim="attempt-a")
    # When another delivery (attempt B) arrives meanwhile, Then it does not publish too
    with pytest.raises(NotificationInProgressError):
        store.save(record, claim="attempt-b")
    # And once A has published, every redelivery is a plain duplicate
    store.mark_notified(record)
    assert store.save(record, claim="attempt-c") is SaveOutcome.DUPLICATE


def test_retry_of_a_write_whose_answer_was_lost_keeps_its_own_claim(store) -> None:
    record = _record("COMPLETED")
    store.save(record, claim="attempt-a")
    assert store.save(record, claim="attempt-a") is SaveOutcome.DUPLICATE_UNANNOUNCED


def test_released_claim_goes_to_the_next_delivery_and_only_to_it(store) -> None:
    record = _record("FAILED")
    store.save(record, claim="attempt-a")
    store.release_claim(record, "attempt-a")  # A's publish failed
    assert store.save(record, claim="attempt-b") is SaveOutcome.DUPLICATE_UNANNOUNCED
    with pytest.raises(NotificationInProgressError):
        store.save(record, claim="attempt-c")


def test_claim_of_an_attempt_that_died_is_taken_over_after_the_timeout(dynamodb) -> None:
    clock = [1_000_000.0]
    store = DynamoAuditStore(dynamodb, "audit-under-test", now=lambda: clock[0])
    record = _record("COMPLETED")
    store.save(record, claim="attempt-a")  # A then timed out before publishing
    clock[0] += CLAIM_TIMEOUT_SECONDS + 1
    assert store.save(record, claim="attempt-b") is SaveOutcome.DUPLICATE_UNANNOUNCED
    with pytest.raises(NotificationInProgressError):
        store.save(record, claim="attempt-c")


def test_failed_enrichment_does_not_erase_what_earlier_events_learned(store, audit_log) -> None:
    # Given a QUEUED event enriched with tags and a job
    job = JOB_ARN
    queued = build_record(parse_task_event(task_event("QUEUED")), description("QUEUED", jobArn=job))
    store.save(queued, claim=None)
    # When the RUNNING event cannot be enriched
    failure = EnrichmentFailure("AccessDeniedException", "denied")
    running = build_record(parse_task_event(task_event("RUNNING")), None, enrichment_failure=failure)
    store.save(running, claim=None)
    # Then the latest state is RUNNING, still knows tags and job, and marks this event's error
    latest = audit_log.latest(TASK_ARN)
    assert (latest["status"], latest["jobArn"], latest["tags"]) == (
        "RUNNING",
        job,
        {"project": "vqe-h2", "owner": "alice"},
    )
    assert latest["enrichmentError"]["code"] == "AccessDeniedException"
    assert "statusAtEnrichment" not in latest
    assert [r["status"] for r in audit_log.tasks_of_job(job)] == ["RUNNING"]
    # And a later enriched event clears the error
    store.save(_record("COMPLETED"), claim=None)
    assert "enrichmentError" not in audit_log.latest(TASK_ARN)


def test_transaction_conflict_is_retried_and_validation_error_is_explained(sleeps) -> None:
    client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
    stubber = Stubber(client)
    conflict = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "conflict"}]
    stubber.add_client_error(
        "transact_write_items", "TransactionCanceledException", modeled_fields={"CancellationReasons": conflict}
    )
    stubber.add_response("transact_write_items", {})
    invalid = [{"Code": "ValidationError", "Message": "Item size has exceeded the maximum allowed size"}]
    stubber.add_client_error(
        "transact_write_items", "TransactionCanceledException", modeled_fields={"CancellationReasons": invalid}
    )
    store = DynamoAuditStore(client, "audit-under-test")
    with stubber:
        assert store.save(_record("RUNNING"), claim=None) is SaveOutcome.RECORDED
        assert len(sleeps) == 1
        with pytest.raises(RequestRefusedError, match="Item size") as refused:
            store.save(_record("RUNNING"), claim=None)
    assert (refused.value.service, refused.value.operation, refused.value.code) == (
        "DynamoDB",
        "TransactWriteItems",
        "ValidationError",
    )


def test_late_event_is_recorded_but_never_moves_the_latest_state_back(store, audit_log) -> None:
    # Given a task already COMPLETED
    store.save(_record("RUNNING"), claim=None)
    store.save(_record("COMPLETED"), claim=None)
    # When its QUEUED event arrives late
    outcome = store.save(_record("QUEUED"), claim=None)
    # Then it joins the history in event-time order and the latest state stays COMPLETED
    assert outcome is SaveOutcome.RECORDED_LATE
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["QUEUED", "RUNNING", "COMPLETED"]
    assert audit_log.latest(TASK_ARN)["status"] == "COMPLETED"
    # And a redelivery of the late event is a duplicate
    assert store.save(_record("QUEUED"), claim=None) is SaveOutcome.DUPLICATE


def test_events_in_the_same_second_keep_lifecycle_order(store, audit_log) -> None:
    same_second = "2026-11-20T09:00:02Z"
    store.save(_record("QUEUED", time=same_second), claim=None)
    store.save(_record("CREATED", time=same_second), claim=None)
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["CREATED", "QUEUED"]
    assert audit_log.latest(TASK_ARN)["status"] == "QUEUED"


def test_unknown_status_is_audited_without_touching_the_latest_state(store, audit_log) -> None:
    store.save(_record("RUNNING"), claim=None)
    assert store.save(_record("PAUSED", time="2026-11-20T11:42:00Z"), claim=None) is SaveOutcome.RECORDED_LATE
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["RUNNING", "PAUSED"]
    assert audit_log.latest(TASK_ARN)["status"] == "RUNNING"


def test_running_since_finds_the_running_event_time(store) -> None:
    assert store.history_facts(TASK_ARN).running_since is None
    store.save(_record("QUEUED"), claim=None)
    store.save(_record("RUNNING"), claim=None)
    assert store.history_facts(TASK_ARN).running_since == "2026-11-20T11:41:17.000Z"


def test_indexes_answer_tasks_by_device_job_and_status(store, audit_log) -> None:
    # Given three tasks: two on Forte-1 (one of them in a job), one on Garnet
    job = JOB_ARN
    first, second, third = task_arn(task_id="a" * 8), task_arn(task_id="b" * 8), task_arn("eu-north-1", "c" * 8)
    store.save(build_record(parse_task_event(task_event("COMPLETED", arn=first)), description(jobArn=job)), claim=None)
    store.save(
        build_record(
            parse_task_event(task_event("RUNNING", arn=second, createdAt="2026-11-21T08:00:00Z")),
            None,
        ),
        claim=None,
    )
    store.save(_record("FAILED", arn=third, device=GARNET), claim=None)

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
    store.save(_record("RUNNING"), claim=None)
    store.save(_record("COMPLETED"), claim=None)
    assert audit_log.tasks_by_status("RUNNING") == []
    assert len(audit_log.tasks_by_status("COMPLETED")) == 1


def test_latest_of_an_unknown_task_is_none(audit_log) -> None:
    assert audit_log.latest(TASK_ARN) is None
    assert audit_log.history(TASK_ARN) == []


def test_range_bounds_are_compared_as_instants_whatever_their_form(store, audit_log) -> None:
    store.save(_record("COMPLETED"), claim=None)  # reached COMPLETED at 2026-11-20T11:43:40Z
    assert len(audit_log.tasks_by_status("COMPLETED", "2026-11-20T11:43:40Z", "2026-11-20T11:43:40Z")) == 1
    assert len(audit_log.tasks_by_status("COMPLETED", "2026-11-20T12:43:40+01:00")) == 1
    assert len(audit_log.tasks_by_status("COMPLETED", "2026-11-20")) == 1


def test_of_two_terminal_events_the_one_braket_confirms_stays_latest(store, audit_log) -> None:
    # Given COMPLETED, confirmed by GetQuantumTask
    store.save(_record("COMPLETED"), claim=None)
    # When a later CANCELLED arrives that Braket does not confirm (it still reports COMPLETED)
    cancelled = build_record(
        parse_task_event(task_event("CANCELLED", time="2026-11-20T11:44:00Z")), description("COMPLETED")
    )
    assert store.save(cancelled, claim=None) is SaveOutcome.RECORDED_LATE
    # Then the latest state stays COMPLETED, and both events are in the history
    assert audit_log.latest(TASK_ARN)["status"] == "COMPLETED"
    assert [r["status"] for r in audit_log.history(TASK_ARN)] == ["COMPLETED", "CANCELLED"]


def test_confirmed_terminal_event_replaces_an_unconfirmed_one_even_if_earlier(store, audit_log) -> None:
    unconfirmed = build_record(
        parse_task_event(task_event("CANCELLED", time="2026-11-20T11:44:00Z")), description("COMPLETED")
    )
    store.save(unconfirmed, claim=None)
    assert store.save(_record("COMPLETED"), claim=None) is SaveOutcome.RECORDED
    assert audit_log.latest(TASK_ARN)["status"] == "COMPLETED"


@pytest.mark.parametrize("claim_left", ["released", "abandoned"])
def test_a_lost_answer_to_taking_a_claim_is_recognised_as_our_own(dynamodb, sleeps, claim_left) -> None:
    clock = [1_000_000.0]
    store = DynamoAuditStore(dynamodb, "audit-under-test", now=lambda: clock[0])
    record = _record("COMPLETED")
    store.save(record, claim="attempt-a")
    if claim_left == "released":
        store.release_claim(record, "attempt-a")  # A's publish failed
    else:
        clock[0] += CLAIM_TIMEOUT_SECONDS + 1  # A died holding it
    # Given B's take of the claim lands, but its answer is lost and botocore's retry finds the claim taken
    lost = ConnectionFault("UpdateItem", times=1)
    dynamodb.meta.events.register_last("before-send", lost)
    # When B saves the redelivered event, Then B knows the claim is its own
    assert store.save(record, claim="attempt-b") is SaveOutcome.DUPLICATE_UNANNOUNCED
    assert lost.raised == 1
    # And nobody else can take it from B
    with pytest.raises(NotificationInProgressError):
        store.save(record, claim="attempt-c")


def _notification_state(dynamodb, record) -> str:
    item = dynamodb.get_item(TableName="audit-under-test", Key=TASK_ITEMS.event_key(record), ConsistentRead=True)[
        "Item"
    ]
    return item["notification"]["S"]


@pytest.mark.parametrize(
    ("code", "status", "times"),
    [
        ("TransactionConflictException", 400, 2),  # a concurrent duplicate's transaction holds the item
        ("ThrottlingException", 400, 4),  # botocore's four attempts spent
        ("InternalServerError", 500, 4),
    ],
)
def test_marking_sent_is_retried_in_process_on_conflicts_throttling_and_5xx(dynamodb, sleeps, code, status, times):
    store = DynamoAuditStore(dynamodb, "audit-under-test")
    record = _record("COMPLETED")
    store.save(record, claim="attempt-a")
    refused = ErrorAnswer("UpdateItem", code, status=status, times=times)
    dynamodb.meta.events.register("before-send.dynamodb.UpdateItem", refused)
    store.mark_notified(record)
    assert refused.answered == times
    assert _notification_state(dynamodb, record) == "SENT"


def test_marking_sent_gives_up_after_a_bounded_number_of_attempts(dynamodb, sleeps) -> None:
    store = DynamoAuditStore(dynamodb, "audit-under-test")
    record = _record("COMPLETED")
    store.save(record, claim="attempt-a")
    refused = ErrorAnswer("UpdateItem", "TransactionConflictException")
    dynamodb.meta.events.register("before-send.dynamodb.UpdateItem", refused)
    with pytest.raises(ClientError):
        store.mark_notified(record)
    # Three in-process attempts, each one request (botocore does not retry a TransactionConflictException),
    # with a jittered pause before the second and the third: counted from the calls, not read from the
    # constant this bounds (MARK_NOTIFIED_ATTEMPTS).
    assert refused.answered == 3
    assert len(sleeps) == 2 and all(0 < s < 2 for s in sleeps), sleeps
    assert _notification_state(dynamodb, record) == "PUBLISHING"


def test_a_late_enriched_event_fills_what_the_latest_state_lacks_without_moving_it(store, audit_log, table_calls):
    # Given a COMPLETED latest state whose enrichment failed: no tags, no job
    failure = EnrichmentFailure("ThrottlingException", "slow down")
    store.save(build_record(parse_task_event(task_event("COMPLETED")), None, enrichment_failure=failure), claim=None)
    # When a late QUEUED event arrives, enriched
    job = JOB_ARN
    late = build_record(parse_task_event(task_event("QUEUED")), description("COMPLETED", jobArn=job))
    table_calls.clear()
    assert store.save(late, claim=None) is SaveOutcome.RECORDED_LATE
    assert table_calls == ["TransactWriteItems", "TransactWriteItems"]  # two round trips, as before
    # Then the latest state stays COMPLETED but gains tags and job, and the job index finds the task
    latest = audit_log.latest(TASK_ARN)
    assert (latest["status"], latest["eventTime"]) == ("COMPLETED", "2026-11-20T11:43:40.000Z")
    assert latest["tags"] == {"project": "vqe-h2", "owner": "alice"} and latest["jobArn"] == job
    assert latest["enrichmentError"]["code"] == "ThrottlingException"  # the latest event's own fact stays
    assert [r["status"] for r in audit_log.tasks_of_job(job)] == ["COMPLETED"]
    assert [r["quantumTaskArn"] for r in audit_log.tasks_by_status("COMPLETED")] == [TASK_ARN]


def test_a_late_running_event_adds_the_queued_running_split_to_a_finished_task(store, audit_log) -> None:
    store.save(_record("COMPLETED"), claim=None)  # no RUNNING seen: only the total is known
    assert "runningSeconds" not in audit_log.latest(TASK_ARN)["timings"]
    assert store.save(_record("RUNNING"), claim=None) is SaveOutcome.RECORDED_LATE
    latest = audit_log.latest(TASK_ARN)
    assert latest["status"] == "COMPLETED"
    assert latest["timings"] == {"queuedSeconds": 9675.88, "runningSeconds": 142.871, "totalSeconds": 9818.751}


def test_a_late_event_never_overwrites_what_the_latest_state_knows(store, audit_log, table_calls) -> None:
    store.save(_record("RUNNING"), claim=None)
    store.save(_record("COMPLETED"), claim=None)
    before = audit_log.latest(TASK_ARN)
    table_calls.clear()
    late = build_record(parse_task_event(task_event("QUEUED")), description("COMPLETED", tags={"owner": "bob"}))
    assert store.save(late, claim=None) is SaveOutcome.RECORDED_LATE
    assert table_calls == ["TransactWriteItems", "PutItem"]  # nothing to fill: the event alone
    assert audit_log.latest(TASK_ARN) == before


def test_a_transaction_cancelled_for_throttling_is_retried_in_process(sleeps) -> None:
    # A hot index partition throttles the base-table write inside a transaction: DynamoDB cancels it with
    # ThrottlingError, which botocore does not retry. Retried here, the event is not sent back to the queue.
    client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
    stubber = Stubber(client)
    throttled = [{"Code": "None"}, {"Code": "ThrottlingError", "Message": "Throughput exceeds the limit"}]
    stubber.add_client_error(
        "transact_write_items", "TransactionCanceledException", modeled_fields={"CancellationReasons": throttled}
    )
    stubber.add_response("transact_write_items", {})
    with stubber:
        assert DynamoAuditStore(client, "audit-under-test").save(_record("RUNNING"), claim=None) is SaveOutcome.RECORDED
    assert len(sleeps) == 1


def test_ignored_fields_belong_to_their_event_and_leave_the_latest_state_with_it(dynamodb, audit_log) -> None:
    store = DynamoAuditStore(dynamodb, "audit-under-test", kind=JOB_ITEMS)
    running = job_event("RUNNING", startedAt=1763912679)  # epoch seconds: dropped and named
    store.save(build_job_record(parse_job_event(running), job_description("RUNNING")), claim=None)
    assert audit_log.latest(JOB_ARN)["ignoredFields"] == ["detail.startedAt"]
    # A later event read whole moves the latest state, which then names nothing ignored
    store.save(build_job_record(parse_job_event(job_event("COMPLETED")), job_description("COMPLETED")), claim=None)
    latest = audit_log.latest(JOB_ARN)
    assert latest["status"] == "COMPLETED" and "ignoredFields" not in latest
    assert [record.get("ignoredFields") for record in audit_log.history(JOB_ARN)] == [["detail.startedAt"], None]
