"""End to end through ``lambda_handler``: moto's DynamoDB/SNS/SQS and the Braket emulator."""

from __future__ import annotations

import io
import json
import time

import pytest

from task_monitor.adapters.audit_store import CLAIM_TIMEOUT_SECONDS
from task_monitor.errors import ClaimExpiredError, InvalidEventError, NotificationInProgressError
from task_monitor_devkit.builders.job import JOB_ARN
from task_monitor_devkit.builders.task import (
    ENRICHMENT_FIELD_NAMES,
    SV1,
    TASK_ARN,
    description,
    fully_described,
    lifecycle,
    task_arn,
    task_event,
)
from tests.e2e.conftest import cold_start_with


def _deliver(aws, event, braket_status: str | None = None):
    """Deliver one event with GetQuantumTask reporting ``braket_status`` (default: the event's)."""
    status = braket_status or event["detail"]["status"]
    if event["detail"]["quantumTaskArn"] == TASK_ARN:
        aws.braket.put_task(description(status))
    invocation = aws.invoke(event)
    if invocation.error:
        raise invocation.error
    return invocation.response


def _scan(aws) -> list:
    return aws.dynamodb.scan(TableName="braket-task-audit")["Items"]


def test_full_lifecycle_is_audited_and_announced_once(embedded) -> None:
    # Given a task going through its whole lifecycle
    for event in lifecycle():
        _deliver(embedded, event)
    # Then the history holds each event in order, the latest state is COMPLETED
    log = embedded.audit_log()
    assert [r["status"] for r in log.history(TASK_ARN)] == ["CREATED", "QUEUED", "RUNNING", "COMPLETED"]
    assert log.latest(TASK_ARN)["status"] == "COMPLETED"
    # And exactly one notification went out, with the record as JSON and the email text
    (envelope,) = embedded.subscriber_messages()
    assert envelope["Record"]["timings"] == {
        "queuedSeconds": 9675.88,
        "runningSeconds": 142.871,
        "totalSeconds": 9818.751,
    }
    (published,) = embedded.published
    assert published.subject == "Braket task COMPLETED: ionq/Forte-1, task 5b0e7a8c"
    assert "Time running  2 min 23 s" in published.email_text
    # And Braket was asked in the task's region, with queue info, once per event
    assert {(c.region, c.additional_attribute_names) for c in embedded.braket.calls} == {("us-east-1", ("QueueInfo",))}
    assert len(embedded.braket.calls) == 4


def test_duplicate_deliveries_write_and_send_nothing_more(embedded) -> None:
    for event in lifecycle():
        _deliver(embedded, event)
    items_before = _scan(embedded)
    outcomes = [_deliver(embedded, event)["outcome"] for event in lifecycle()]
    assert outcomes == ["duplicate"] * 4
    assert _scan(embedded) == items_before
    assert len(embedded.subscriber_messages()) == 1


def test_out_of_order_delivery_keeps_history_in_event_order_and_latest_at_the_end(embedded) -> None:
    created, queued, running, completed = lifecycle()
    _deliver(embedded, created)
    _deliver(embedded, completed)
    running_response = _deliver(embedded, running, braket_status="COMPLETED")
    queued_response = _deliver(embedded, queued, braket_status="COMPLETED")
    assert (running_response["outcome"], queued_response["outcome"]) == ("recorded-late", "recorded-late")
    log = embedded.audit_log()
    history = log.history(TASK_ARN)
    assert [r["status"] for r in history] == ["CREATED", "QUEUED", "RUNNING", "COMPLETED"]
    assert history[1]["statusAtEnrichment"] == "COMPLETED"  # both facts kept
    assert log.latest(TASK_ARN)["status"] == "COMPLETED"


@pytest.mark.parametrize("shots", ["1000", 1000])
def test_shots_as_string_or_integer_are_stored_as_integer(embedded, shots) -> None:
    _deliver(embedded, task_event("QUEUED", shots=shots))
    assert embedded.audit_log().latest(TASK_ARN)["shots"] == 1000


def test_every_enrichment_field_reaches_the_audit_record_and_the_notification(embedded) -> None:
    embedded.braket.put_task(fully_described("FAILED"))
    embedded.invoke(task_event("FAILED"))
    log = embedded.audit_log()
    latest, (event,) = log.latest(TASK_ARN), log.history(TASK_ARN)
    (envelope,) = embedded.subscriber_messages()
    expected = fully_described("FAILED")
    for field in ENRICHMENT_FIELD_NAMES:
        assert event[field] == expected[field], field
        assert envelope["Record"][field] == expected[field], field
        # The latest state keeps all but the queue at that moment, which its event's item keeps.
        assert latest.get(field) == (None if field == "queueInfo" else expected[field]), field
    assert envelope["MessageAttributes"]["jobArn"]["Value"] == expected["jobArn"]


def test_task_not_found_at_first_is_retried_and_enriched(embedded, sleeps) -> None:
    embedded.braket.put_task(description("CREATED"))
    embedded.braket.hide_task(TASK_ARN, calls=2)
    response = embedded.invoke(task_event("CREATED")).response
    assert response["enrichmentError"] is None
    assert embedded.audit_log().latest(TASK_ARN)["statusAtEnrichment"] == "CREATED"
    assert [c.status_code for c in embedded.braket.calls] == [404, 404, 200]


def test_access_denied_still_records_and_notifies_marked_with_the_error(embedded) -> None:
    embedded.braket.put_task(description("COMPLETED"))
    embedded.braket.fail_next("AccessDeniedException", message="User is not authorized to GetQuantumTask")
    response = embedded.invoke(task_event("COMPLETED")).response
    assert response["enrichmentError"] == "AccessDeniedException"
    latest = embedded.audit_log().latest(TASK_ARN)
    assert latest["enrichmentError"]["code"] == "AccessDeniedException"
    assert "queueInfo" not in latest
    (published,) = embedded.published
    assert "details from GetQuantumTask are missing (AccessDeniedException" in published.email_text


def test_task_in_another_region_is_looked_up_there(embedded) -> None:
    arn = task_arn("us-west-2", "11112222-3333-4444-8555-666677778888")
    embedded.braket.put_task(description("COMPLETED", arn=arn, device=SV1))
    response = embedded.invoke(task_event("COMPLETED", arn=arn, device=SV1)).response
    assert response["enrichmentError"] is None
    assert [c.region for c in embedded.braket.calls] == ["us-west-2"]


def test_throttling_is_retried_then_enriched(embedded, sleeps) -> None:
    embedded.braket.put_task(description("RUNNING"))
    embedded.braket.fail_next("ThrottlingException", times=2)
    response = embedded.invoke(task_event("RUNNING")).response
    assert response["enrichmentError"] is None
    assert len(embedded.braket.calls) == 3 and len(sleeps) == 2


def test_throttling_that_outlasts_retries_records_the_event_anyway(embedded) -> None:
    embedded.braket.put_task(description("RUNNING"))
    embedded.braket.fail_next("ThrottlingException", times=20)
    response = embedded.invoke(task_event("RUNNING")).response
    assert response["enrichmentError"] == "ThrottlingException"
    assert embedded.audit_log().latest(TASK_ARN)["status"] == "RUNNING"


def test_sns_failure_fails_the_invocation_and_the_redelivery_publishes(embedded, fault) -> None:
    embedded.braket.put_task(description("COMPLETED"))
    event = task_event("COMPLETED")
    # Given SNS refuses every publish, When the event is delivered
    with cold_start_with(embedded, "before-send.sns.Publish", fault("Publish")):
        failed = embedded.invoke(event)
    # Then the invocation fails (Lambda retries it) but the audit record is safe
    assert not failed.succeeded
    assert len(embedded.audit_log().history(TASK_ARN)) == 1
    assert embedded.subscriber_messages() == []
    # When the event is redelivered with SNS back, Then it is published once, and never again
    assert embedded.invoke(event).response["notified"] is True
    assert embedded.invoke(event).response["outcome"] == "duplicate"
    assert len(embedded.subscriber_messages()) == 1
    assert len(embedded.audit_log().history(TASK_ARN)) == 1


def test_lost_answer_to_a_committed_write_still_leads_to_one_notification(embedded, fault) -> None:
    # Given DynamoDB commits the transaction but its answer is lost once (botocore retries)
    embedded.braket.put_task(description("COMPLETED"))
    lost = fault("TransactWriteItems", times=1)
    with cold_start_with(embedded, "before-send", lost, last=True):
        response = embedded.invoke(task_event("COMPLETED")).response
    # Then the notification still goes out once (real DynamoDB answers botocore's retry, which
    # reuses the transaction's ClientRequestToken, with success; moto reports the event as
    # already recorded, and the attempt recognises its own claim)
    assert lost.raised == 1
    assert response["notified"] is True
    assert len(embedded.subscriber_messages()) == 1
    assert len(embedded.audit_log().history(TASK_ARN)) == 1


def test_write_whose_answers_are_all_lost_is_completed_once_its_claim_expires(embedded, fault) -> None:
    embedded.braket.put_task(description("FAILED"))
    event = task_event("FAILED")
    # Given every answer to the transaction is lost: the attempt fails, though the write committed
    with cold_start_with(embedded, "before-send", fault("TransactWriteItems"), last=True):
        assert not embedded.invoke(event).succeeded
    assert len(embedded.audit_log().history(TASK_ARN)) == 1
    # When it is redelivered at once, Then it does not publish: the first attempt may still be doing so
    assert isinstance(embedded.invoke(event).error, NotificationInProgressError)
    assert embedded.subscriber_messages() == []
    # When the claim is older than any invocation can live (Lambda retries a minute or more later)
    _age_claims(embedded, CLAIM_TIMEOUT_SECONDS + 1)
    # Then the redelivery publishes, exactly once
    assert embedded.invoke(event).response["notified"] is True
    assert embedded.invoke(event).response["notified"] is False
    assert len(embedded.subscriber_messages()) == 1


def _age_claims(aws, seconds: int) -> None:
    for item in _scan(aws):
        if "claimedAt" in item:
            aws.dynamodb.update_item(
                TableName="braket-task-audit",
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET claimedAt = :then",
                ExpressionAttributeValues={":then": {"N": str(int(item["claimedAt"]["N"]) - seconds)}},
            )


@pytest.mark.parametrize(
    "bad_event",
    [
        task_event(shots="lots"),
        task_event(arn=JOB_ARN),
        {**task_event(), "source": "aws.s3"},
        {"detail-type": "Braket Task State Change"},
        [],
    ],
    ids=["bad-shots", "job-arn", "other-source", "no-detail", "not-an-object"],
)
def test_invalid_event_invoked_directly_raises_and_writes_nothing(embedded, bad_event) -> None:
    invocation = embedded.invoke(bad_event)
    assert isinstance(invocation.error, InvalidEventError)
    assert _scan(embedded) == []
    assert embedded.braket.calls == [] and embedded.published == []
    assert embedded.dead_letters() == []  # only the queue path sets events aside; a direct caller gets the error


def test_metrics_and_logs_carry_status_device_and_the_event_id(embedded, capsys) -> None:
    log_stream = io.StringIO()
    logger = embedded.handler.logger  # one logger per process: set what earlier tests may have changed
    logger.registered_handler.setStream(log_stream)
    logger.setLevel("INFO")
    running = task_event("RUNNING")
    _deliver(embedded, running)
    _deliver(embedded, task_event("COMPLETED"))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    metrics = [line for line in lines if "_aws" in line]
    assert {"status": "RUNNING", "TaskEvents": [1.0]}.items() <= next(m for m in metrics if m.get("status")).items()
    assert any(m.get("device") == "ionq/Forte-1" and m.get("QueueWaitSeconds") == [9675.88] for m in metrics)
    assert any(m.get("NotificationsPublished") == [1.0] for m in metrics)
    logs = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    processed = [line for line in logs if line["message"] == "Processed task event"]
    assert [line["correlation_id"] for line in processed] == [running["id"], task_event("COMPLETED")["id"]]
    assert processed[1]["outcome"] == "recorded" and processed[1]["notified"] is True


def test_missing_configuration_fails_the_cold_start_with_a_clear_error(embedded, monkeypatch) -> None:
    from task_monitor.errors import ConfigurationError

    monkeypatch.delenv("NOTIFICATION_TOPIC_ARN")
    with pytest.raises(ConfigurationError, match="NOTIFICATION_TOPIC_ARN"):
        embedded.load_handler()


def test_unknown_future_status_is_audited_but_neither_moves_latest_nor_notifies(embedded, capsys) -> None:
    _deliver(embedded, task_event("RUNNING"))
    embedded.braket.put_task(description("RUNNING"))
    response = embedded.invoke(task_event("PAUSED", time="2026-11-20T11:42:00Z")).response
    assert response["notified"] is False
    log = embedded.audit_log()
    assert [r["status"] for r in log.history(TASK_ARN)] == ["RUNNING", "PAUSED"]
    assert log.latest(TASK_ARN)["status"] == "RUNNING"
    assert '"UnknownStatusEvents":[1.0]' in capsys.readouterr().out.replace(" ", "")


def test_a_failed_re_ask_of_an_ended_task_keeps_its_first_answer(embedded) -> None:
    # Given Braket still shows RUNNING (with tags and job) when the FAILED event comes, and is then throttled
    embedded.braket.put_task(fully_described("RUNNING"))

    def throttle_from_now_on(**_: object) -> None:
        embedded.braket.fail_next("ThrottlingException", times=100)

    with cold_start_with(embedded, "after-call.braket.GetQuantumTask", throttle_from_now_on):
        response = embedded.invoke(task_event("FAILED")).response
    # Then the record keeps what the first answer said, with no enrichment error
    assert response["enrichmentError"] is None
    latest = embedded.audit_log().latest(TASK_ARN)
    assert latest["jobArn"] == fully_described("RUNNING")["jobArn"] and latest["tags"]
    assert latest["statusAtEnrichment"] == "RUNNING" and "enrichmentError" not in latest
    assert [r["quantumTaskArn"] for r in embedded.audit_log().tasks_of_job(latest["jobArn"])] == [TASK_ARN]


def test_a_lost_answer_to_taking_a_released_claim_still_publishes_once(embedded, fault) -> None:
    embedded.braket.put_task(description("COMPLETED"))
    event = task_event("COMPLETED")
    # Given a first delivery whose publish failed: its claim was given back
    with cold_start_with(embedded, "before-send.sns.Publish", fault("Publish")):
        assert not embedded.invoke(event).succeeded
    # When the redelivery takes the claim but the answer is lost (botocore's retry meets its own claim)
    lost = fault("UpdateItem", times=1)
    with cold_start_with(embedded, "before-send", lost, last=True):
        response = embedded.invoke(event).response
    # Then it publishes at once, exactly once, instead of waiting out its own claim
    assert lost.raised == 1
    assert response is not None and response["notified"] is True
    assert embedded.invoke(event).response["outcome"] == "duplicate"
    assert len(embedded.subscriber_messages()) == 1


@pytest.mark.parametrize(
    ("code", "status", "times"), [("TransactionConflictException", 400, 1), ("ThrottlingException", 400, 4)]
)
def test_a_refused_sent_mark_after_publishing_is_retried_and_never_publishes_twice(
    embedded, error_answer, code, status, times
) -> None:
    embedded.braket.put_task(description("COMPLETED"))
    event = task_event("COMPLETED")
    # Given SNS accepts the message but the UpdateItem marking it SENT is refused (a conflict, throttling)
    refused = error_answer("UpdateItem", code, status=status, times=times)
    with cold_start_with(embedded, "before-send.dynamodb.UpdateItem", refused):
        invocation = embedded.invoke(event)
    # Then the invocation succeeds, the mark is written on a retry, and nothing is published again,
    # not even by a delivery after the claim would have expired
    assert invocation.succeeded and invocation.response["notified"] is True
    assert invocation.response["notificationUnmarked"] is False
    _age_claims(embedded, CLAIM_TIMEOUT_SECONDS + 1)
    assert embedded.invoke(event).response["outcome"] == "duplicate"
    assert len(embedded.subscriber_messages()) == 1


def test_a_sent_mark_that_stays_refused_is_flagged_not_failed(embedded, error_answer, capsys) -> None:
    embedded.braket.put_task(description("COMPLETED"))
    with cold_start_with(
        embedded, "before-send.dynamodb.UpdateItem", error_answer("UpdateItem", "TransactionConflictException")
    ):
        invocation = embedded.invoke(task_event("COMPLETED"))
    assert invocation.succeeded and invocation.response["notified"] is True
    assert invocation.response["notificationUnmarked"] is True
    assert '"UnmarkedNotifications":[1.0]' in capsys.readouterr().out.replace(" ", "")
    assert len(embedded.subscriber_messages()) == 1


def test_a_run_stalled_past_its_claim_s_publishing_deadline_does_not_publish(embedded, monkeypatch) -> None:
    from task_monitor import wiring

    embedded.braket.put_task(description("COMPLETED"))
    event = task_event("COMPLETED")
    clock = [time.time()]
    monkeypatch.setattr(wiring, "seconds_clock", lambda: clock[0])

    def stall(**_: object) -> None:  # the run freezes right after taking the claim
        clock[0] += CLAIM_TIMEOUT_SECONDS - 30

    # When the run stalls between taking the claim and publishing
    with cold_start_with(embedded, "after-call.dynamodb.TransactWriteItems", stall):
        invocation = embedded.invoke(event)
    # Then it does not publish (another attempt could take the claim mid-publish) and gives the claim back
    assert isinstance(invocation.error, ClaimExpiredError)
    assert embedded.subscriber_messages() == []
    # And the redelivery publishes at once, exactly once
    assert embedded.invoke(event).response["notified"] is True
    assert embedded.invoke(event).response["outcome"] == "duplicate"
    assert len(embedded.subscriber_messages()) == 1


def test_late_events_fill_the_gaps_of_a_finished_task_s_latest_state(embedded) -> None:
    _created, queued, running, completed = lifecycle()
    # Given the COMPLETED event arrives first and cannot be enriched
    embedded.braket.put_task(fully_described("COMPLETED"))
    embedded.braket.fail_next("AccessDeniedException")
    assert _deliver_as_is(embedded, completed)["enrichmentError"] == "AccessDeniedException"
    # When the late RUNNING and QUEUED events arrive, enriched
    assert _deliver_as_is(embedded, running)["outcome"] == "recorded-late"
    assert _deliver_as_is(embedded, queued)["outcome"] == "recorded-late"
    # Then the latest state stays COMPLETED and gains the job, the tags and the queued/running split
    log = embedded.audit_log()
    latest = log.latest(TASK_ARN)
    assert latest["status"] == "COMPLETED" and latest["jobArn"] == fully_described("COMPLETED")["jobArn"]
    assert latest["tags"] and latest["timings"]["runningSeconds"] == 142.871
    assert [r["quantumTaskArn"] for r in log.tasks_of_job(latest["jobArn"])] == [TASK_ARN]


def _deliver_as_is(aws, event):
    invocation = aws.invoke(event)
    if invocation.error:
        raise invocation.error
    return invocation.response
