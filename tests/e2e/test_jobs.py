"""Hybrid jobs end to end: events on the SQS queue, the real handler, moto's DynamoDB/SNS/SQS, the Braket emulator."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from task_monitor_devkit.builders.job import (
    JOB_ARN,
    JOB_CREATED_AT,
    JOB_ENDED_AT,
    JOB_NAME,
    SECRET_HYPERPARAMETER,
    job_arn,
    job_description,
    job_event,
    job_id_for,
    job_task_arn,
    job_task_description,
    job_task_events,
)
from task_monitor_devkit.builders.task import FORTE
from task_monitor_devkit.embedded import EmbeddedAws
from task_monitor_devkit.lambda_context import FakeLambdaContext

TABLE = "braket-task-audit"


def _run(aws: EmbeddedAws, *events: Any) -> None:
    """Deliver events to the queue and poll until it is empty; none may be handed back."""
    aws.deliver(*events)
    batches = aws.drain()
    assert [batch.retried for batch in batches] == [[] for _ in batches]


def _step(aws: EmbeddedAws, status: str, **event_fields: Any) -> None:
    """The job reaches ``status`` in Braket, and its event is delivered."""
    aws.braket.put_job(job_description(status))
    _run(aws, job_event(status, **event_fields))


def _notifications(aws: EmbeddedAws, kind: str) -> list[dict[str, Any]]:
    """The subscriber's messages about one kind (reading drains the subscriber's queue)."""
    return [m for m in aws.subscriber_messages() if m["MessageAttributes"]["kind"]["Value"] == kind]


def _job_with_tasks(aws: EmbeddedAws) -> None:
    """A job queued, running, creating three tasks (two complete, one fails), then completing."""
    _step(aws, "QUEUED")
    _step(aws, "RUNNING")
    for number, final in ((1, "COMPLETED"), (2, "COMPLETED"), (3, "FAILED")):
        aws.braket.put_task(job_task_description(number, final))
        _run(aws, *job_task_events(number, final))
    _step(aws, "COMPLETED")


def test_a_job_s_end_is_announced_once_with_the_roll_up_of_its_tasks(embedded) -> None:
    _job_with_tasks(embedded)
    messages = embedded.subscriber_messages()
    # Task notifications went out as ever, marked as such
    by_kind = {
        kind: [m for m in messages if m["MessageAttributes"]["kind"]["Value"] == kind] for kind in ("task", "job")
    }
    assert sorted(m["Record"]["status"] for m in by_kind["task"]) == ["COMPLETED", "COMPLETED", "FAILED"]
    # One job notification: subject, roll-up, attributes
    (message,) = by_kind["job"]
    assert message["Subject"] == "Braket job COMPLETED: vqe-h2-run-7, 3 tasks"
    record = message["Record"]
    assert record["taskSummary"] == {
        "count": 3,
        "byStatus": {"COMPLETED": 2, "FAILED": 1},
        "shotsRequested": 3000,
        "successfulShots": 2000,
        "queuedSeconds": {"total": 29027.64, "mean": 9675.88, "tasks": 3},
        "runningSeconds": {"total": 428.613, "mean": 142.871, "tasks": 3},
    }
    assert (record["createdAt"], record["endedAt"]) == (JOB_CREATED_AT, JOB_ENDED_AT)
    assert record["consoleUrl"].endswith(f"#/jobs/{JOB_ARN}")
    attributes = {name: value["Value"] for name, value in message["MessageAttributes"].items()}
    assert {"kind": "job", "status": "COMPLETED", "jobArn": JOB_ARN, "deviceArn": FORTE}.items() <= attributes.items()
    # The email a person reads
    (published,) = [p for p in embedded.published if p.attributes["kind"]["StringValue"] == "job"]
    assert "\nTasks              3 (2 COMPLETED, 1 FAILED)\n" in published.email_text
    assert "\nCreated by         unknown (no CloudTrail record" in published.email_text
    # GetJob asked in the job's region, with queue info, once per job event
    job_calls = [call for call in embedded.braket.calls if call.operation == "GetJob"]
    assert {(c.region, c.job_arn, c.additional_attribute_names) for c in job_calls} == {
        ("us-east-1", JOB_ARN, ("QueueInfo",))
    }
    assert len(job_calls) == 3


def test_the_audit_log_reads_a_job_and_its_tasks_without_mixing_them(embedded) -> None:
    _job_with_tasks(embedded)
    log = embedded.audit_log()
    assert [r["status"] for r in log.history(JOB_ARN)] == ["QUEUED", "RUNNING", "COMPLETED"]
    latest = log.latest(JOB_ARN)
    assert latest is not None and latest["status"] == "COMPLETED" and latest["taskSummary"]["count"] == 3
    assert SECRET_HYPERPARAMETER not in json.dumps(latest)
    assert latest["hyperParameterNames"] == ["db_password", "learning_rate"]
    assert [r["quantumTaskArn"] for r in log.tasks_of_job(JOB_ARN)] == [job_task_arn(n) for n in (1, 2, 3)]
    assert [r["jobArn"] for r in log.jobs_by_status("COMPLETED")] == [JOB_ARN]
    assert all("quantumTaskArn" in r for r in log.tasks_by_status("COMPLETED"))
    # Every item's key names its kind
    keys = {item["pk"]["S"] for item in embedded.dynamodb.scan(TableName=TABLE)["Items"]}
    assert keys == {f"JOB#{JOB_ARN}"} | {f"TASK#{job_task_arn(n)}" for n in (1, 2, 3)}


def test_the_same_event_delivered_again_is_announced_once(embedded) -> None:
    embedded.braket.put_job(job_description("COMPLETED"))
    event = job_event("COMPLETED")
    _run(embedded, event, event)  # twice in one batch
    _run(embedded, event)  # and once more later
    assert len(_notifications(embedded, "job")) == 1
    assert [r["status"] for r in embedded.audit_log().history(JOB_ARN)] == ["COMPLETED"]


def test_two_invocations_of_the_same_event_at_once_announce_it_once(embedded) -> None:
    embedded.braket.put_job(job_description("FAILED"))
    event = job_event("FAILED")
    start = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def invoke(me: int) -> None:
        message = {"MessageId": str(uuid.uuid4()), "ReceiptHandle": f"r{me}", "Body": json.dumps(event)}
        start.wait()
        answers[me] = embedded.handler.lambda_handler(
            {"Records": [embedded._lambda_record(message)]}, FakeLambdaContext()
        )

    threads = [threading.Thread(target=invoke, args=(me,)) for me in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Whichever was handed back (the other held the claim) is redelivered, and sends nothing more
    handed_back = sum(len(answer["batchItemFailures"]) for answer in answers)
    for _ in range(handed_back):
        _run(embedded, event)
    assert len(_notifications(embedded, "job")) == 1
    assert len(embedded.audit_log().history(JOB_ARN)) == 1


def test_an_ending_event_before_the_running_one_keeps_the_job_ended(embedded) -> None:
    embedded.braket.put_job(job_description("COMPLETED"))
    _run(embedded, job_event("COMPLETED"))
    _run(embedded, job_event("RUNNING"))  # late: Braket already says COMPLETED
    log = embedded.audit_log()
    history = log.history(JOB_ARN)
    assert [r["status"] for r in history] == ["RUNNING", "COMPLETED"]
    assert history[0]["statusAtEnrichment"] == "COMPLETED"
    latest = log.latest(JOB_ARN)
    assert latest is not None and latest["status"] == "COMPLETED"
    assert len(_notifications(embedded, "job")) == 1


def test_a_getjob_failure_keeps_the_record_and_still_announces_the_end(embedded) -> None:
    embedded.braket.put_job(job_description("CANCELLED"))
    embedded.braket.fail_next("AccessDeniedException", job_arn=JOB_ARN, message="not authorized to perform GetJob")
    _run(embedded, job_event("CANCELLED", minimal=True, jobName=JOB_NAME))  # the name, as GetJob cannot say
    latest = embedded.audit_log().latest(JOB_ARN)
    assert latest is not None and latest["status"] == "CANCELLED"
    assert latest["enrichmentError"] == {"code": "AccessDeniedException", "message": "not authorized to perform GetJob"}
    (message,) = _notifications(embedded, "job")
    assert message["Subject"] == "Braket job CANCELLED: vqe-h2-run-7, 0 tasks"
    (published,) = embedded.published
    assert "details from GetJob are missing (AccessDeniedException" in published.email_text
    assert "\nCancelled by       unknown" in published.email_text


UUID_JOB_ARN = "arn:aws:braket:us-east-1:123456789012:job/acc51817-2b7a-48ed-8dee-fffc87703b10"


def test_an_event_with_epoch_millisecond_times_and_a_bad_field_is_audited_and_announced_without_getjob(
    embedded, capsys
) -> None:
    """Job events have no published shape: a time in epoch ms is read, a field of the wrong type is dropped
    and named (and counted), and with GetJob failing the job is called by its short id, never its UUID."""
    embedded.braket.put_job(job_description("COMPLETED", arn=UUID_JOB_ARN))
    embedded.braket.fail_next("AccessDeniedException", job_arn=UUID_JOB_ARN, message="not authorized to GetJob")
    event = job_event("COMPLETED", arn=UUID_JOB_ARN, startedAt=1795448679208, eventName=["MODIFY"])
    _run(embedded, event)
    assert embedded.dead_letters() == []
    latest = embedded.audit_log().latest(UUID_JOB_ARN)
    assert latest is not None and latest["status"] == "COMPLETED"
    assert latest["startedAt"] == "2026-11-23T15:44:39.208Z"  # from the event's epoch milliseconds
    assert latest["ignoredFields"] == ["detail.eventName"]
    assert latest["enrichmentError"]["code"] == "AccessDeniedException"
    assert "jobName" not in latest and latest["timings"]["runningSeconds"] == 1051.746
    (message,) = _notifications(embedded, "job")
    assert message["Subject"] == "Braket job COMPLETED: job acc51817, 0 tasks"
    (published,) = embedded.published
    assert "\nName               unknown (job acc51817)\n" in published.email_text
    assert "\nStarted            2026-11-23T15:44:39.208Z\n" in published.email_text
    assert '"IgnoredEventFields":[1.0]' in capsys.readouterr().out.replace(" ", "")


def test_a_job_not_found_at_first_is_asked_again_and_enriched(embedded) -> None:
    embedded.braket.put_job(job_description("QUEUED"))
    embedded.braket.hide_job(JOB_ARN, calls=2)
    _run(embedded, job_event("QUEUED", minimal=True))
    latest = embedded.audit_log().latest(JOB_ARN)
    assert latest is not None and "enrichmentError" not in latest
    assert (latest["createdAt"], latest["queueInfo"]["position"]) == (JOB_CREATED_AT, "3")
    assert [c.status_code for c in embedded.braket.calls] == [404, 404, 200]
    assert _notifications(embedded, "job") == []  # a job that has not ended is not announced


def test_a_job_in_another_region_is_described_there(embedded) -> None:
    arn = job_arn(job_id_for("nordic-qaoa"), region="eu-north-1")
    embedded.braket.put_job(job_description("RUNNING", arn=arn))
    _run(embedded, job_event("RUNNING", arn=arn))
    assert [(c.operation, c.region) for c in embedded.braket.calls] == [("GetJob", "eu-north-1")]
    latest = embedded.audit_log().latest(arn)
    assert latest is not None and latest["region"] == "eu-north-1" and "enrichmentError" not in latest


def test_invalid_job_events_go_to_the_dead_letter_queue_and_the_valid_one_is_recorded(embedded) -> None:
    no_arn = job_event("COMPLETED", resources=[])
    del no_arn["detail"]["jobArn"]
    no_arn["resources"] = []
    bad = {
        "detail.jobArn": job_event(jobArn=job_task_arn(1)),
        "detail.status": job_event("done!"),
        "detail-type": {**job_event(), "detail-type": "Braket Job Status Change"},
    }
    embedded.braket.put_job(job_description("RUNNING"))
    embedded.deliver(*bad.values(), no_arn, job_event("RUNNING"))
    (batch,) = embedded.drain()
    assert batch.retried == []
    letters = embedded.dead_letters()
    assert sorted(letter.attributes["field"] for letter in letters) == sorted([*bad, "detail.jobArn"])
    assert all(letter.attributes["errorType"] == "InvalidEventError" for letter in letters)
    assert [r["status"] for r in embedded.audit_log().history(JOB_ARN)] == ["RUNNING"]
    assert len(embedded.braket.calls) == 1


def test_notify_statuses_decides_which_job_endings_are_announced(sleeps) -> None:
    with EmbeddedAws(notify_statuses="FAILED") as aws:
        aws.load_handler()
        completed, failed = job_arn(job_id_for("done-job")), job_arn(job_id_for("broken-job"))
        aws.braket.put_job(job_description("COMPLETED", arn=completed))
        aws.braket.put_job(job_description("FAILED", arn=failed))
        _run(aws, job_event("COMPLETED", arn=completed), job_event("FAILED", arn=failed))
        assert [m["Record"]["jobArn"] for m in _notifications(aws, "job")] == [failed]
        latest = aws.audit_log().latest(completed)
        assert latest is not None and latest["taskSummary"] == {"count": 0, "byStatus": {}}
