"""Device availability end to end: real task events and device events through the handler's SQS path.

The account's tasks reach the audit log as real ``Braket Task State Change`` events (enriched by the
Braket emulator); device events then arrive on the same queue, polled in batches as the event
source mapping does, and notifications are read from an SQS subscriber of the topic.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from task_monitor_devkit.builders.device import ANKAA, DEVICE_STATUS, QPU_STATUS, device_event
from task_monitor_devkit.builders.task import FORTE, GARNET, SV1, description, long_device_arn, task_arn, task_event
from tests.e2e.conftest import cold_start_with

OFFLINE_AT, ONLINE_AT, STALE_AT = "2026-11-21T06:00:04Z", "2026-11-21T09:30:00Z", "2026-11-21T08:00:00Z"


def _through_the_queue(aws, *events: Any) -> None:
    """Deliver as the rule's SQS target does and drain as the event source mapping does; nothing fails."""
    aws.deliver(*events)
    batches = aws.drain()
    assert [batch.retried for batch in batches] == [[] for _ in batches]
    assert aws.dead_letters() == []


def _tasks(aws, device: str, first: int, *latest_statuses: str) -> list[str]:
    """Tasks on ``device``, one per status given, each brought there by its real lifecycle events."""
    lifecycle = ("CREATED", "QUEUED", "RUNNING", "COMPLETED")
    arns, events = [], []
    for number, latest in enumerate(latest_statuses, start=first):
        arn = task_arn("us-east-1", f"00000000-0000-4000-8000-{number:012d}")
        aws.braket.put_task(description(latest, arn=arn, device=device))
        statuses = lifecycle[: lifecycle.index(latest) + 1]
        events += [task_event(status, arn=arn, device=device) for status in statuses]
        arns.append(arn)
    _through_the_queue(aws, *events)
    return arns


def _device_notices(aws) -> list[dict[str, Any]]:
    envelopes = aws.subscriber_messages()
    return [e for e in envelopes if e["MessageAttributes"].get("kind", {}).get("Value") == "device"]


def test_offline_then_online_is_announced_once_each_naming_the_tasks_waiting(embedded) -> None:
    # Given three tasks queued (or just created) on Forte-1, and one already running there
    _tasks(embedded, FORTE, 1, "QUEUED", "QUEUED", "CREATED", "RUNNING")
    embedded.published.clear()  # (no task status here is notified anyway)
    # When Forte-1 goes offline
    offline = device_event("OFFLINE", time=OFFLINE_AT)
    _through_the_queue(embedded, offline)
    # Then one notification names the count, for a person and for machines
    (notice,) = _device_notices(embedded)
    assert notice["Subject"] == "Braket device OFFLINE: ionq/Forte-1, 3 tasks waiting"
    assert notice["Record"]["waitingTasks"] == 3 and notice["Record"]["deviceArn"] == FORTE
    assert notice["MessageAttributes"]["availability"]["Value"] == "offline"
    assert notice["MessageAttributes"]["status"]["Value"] == "OFFLINE"
    (published,) = embedded.published
    assert "They stay queued until the device is back online" in published.email_text
    # When the same event is delivered again, Then nothing more is written or sent
    _through_the_queue(embedded, offline)
    assert _device_notices(embedded) == []
    # When it comes back online, Then one more
    _through_the_queue(embedded, device_event("ONLINE", time=ONLINE_AT))
    (back,) = _device_notices(embedded)
    assert back["Subject"] == "Braket device ONLINE: ionq/Forte-1, 3 tasks waiting"
    # When an older OFFLINE event arrives late, Then it is history only: no notice, the device stays online
    _through_the_queue(embedded, device_event("OFFLINE", time=STALE_AT))
    assert _device_notices(embedded) == []
    log = embedded.audit_log()
    history = log.history(FORTE)
    assert [(r["status"], r["eventTime"][11:19]) for r in history] == [
        ("OFFLINE", "06:00:04"),
        ("OFFLINE", "08:00:00"),
        ("ONLINE", "09:30:00"),
    ]
    assert "waitingTasks" not in history[1]  # the late one was never a candidate, so nothing was counted
    latest = log.latest(FORTE)
    assert (latest["status"], latest["eventTime"]) == ("ONLINE", "2026-11-21T09:30:00.000Z")
    assert [d["deviceArn"] for d in log.devices_by_status("ONLINE")] == [FORTE]
    assert log.devices_by_status("OFFLINE") == []


def test_a_device_nobody_waits_on_is_recorded_and_not_announced(embedded) -> None:
    # Given tasks wait on Forte-1 only; Garnet's task has finished
    _tasks(embedded, FORTE, 1, "QUEUED")
    _tasks(embedded, GARNET, 2, "COMPLETED")
    embedded.published.clear()
    _through_the_queue(embedded, device_event("OFFLINE", arn=GARNET))
    assert embedded.published == []
    (record,) = embedded.audit_log().history(GARNET)
    assert (record["status"], record["waitingTasks"], record["region"]) == ("OFFLINE", 0, "eu-north-1")
    assert embedded.audit_log().latest(GARNET)["status"] == "OFFLINE"


def test_qpu_status_change_with_only_resources_and_device_status_works_the_same(embedded) -> None:
    _tasks(embedded, ANKAA, 1, "QUEUED")
    embedded.published.clear()
    event = device_event(
        "OFFLINE",
        arn=ANKAA,
        detail_type=QPU_STATUS,
        status_field="deviceStatus",
        arn_in_detail=False,
        providerName="Rigetti",
    )
    _through_the_queue(embedded, event, event)  # delivered twice in one batch
    (notice,) = _device_notices(embedded)
    assert notice["Subject"] == "Braket device OFFLINE: rigetti/Ankaa-3, 1 task waiting"
    assert notice["Record"]["detailType"] == QPU_STATUS
    assert notice["Record"]["eventDetails"] == {"providerName": "Rigetti"}
    (record,) = embedded.audit_log().history(ANKAA)
    assert record["region"] == "us-west-1"
    # And a Device Status Change saying the same thing later is no change: recorded, not announced
    _through_the_queue(embedded, device_event("OFFLINE", arn=ANKAA, detail_type=DEVICE_STATUS, time=ONLINE_AT))
    assert _device_notices(embedded) == []
    assert [r["detailType"] for r in embedded.audit_log().history(ANKAA)] == [QPU_STATUS, DEVICE_STATUS]


def test_a_failed_publish_is_retried_by_the_queue_and_announced_once(embedded, fault) -> None:
    _tasks(embedded, FORTE, 1, "QUEUED", "QUEUED")
    embedded.published.clear()
    embedded.deliver(device_event("OFFLINE"))
    # Given SNS refuses the publish, When the batch is polled, Then SQS keeps the message for a retry
    with cold_start_with(embedded, "before-send.sns.Publish", fault("Publish")):
        (failed,) = [embedded.poll()]
        assert failed is not None and len(failed.retried) == 1
    assert _device_notices(embedded) == []
    # When it is delivered again with SNS back, Then it is announced once (its state, already stored,
    # is its own: not mistaken for "no change")
    batches = embedded.drain()
    assert [batch.retried for batch in batches] == [[]]
    (notice,) = _device_notices(embedded)
    assert notice["Subject"] == "Braket device OFFLINE: ionq/Forte-1, 2 tasks waiting"
    assert len(embedded.audit_log().history(FORTE)) == 1


@pytest.mark.parametrize("region", ["us-west-2", None])
def test_a_simulator_counts_its_tasks_in_every_region(embedded, region) -> None:
    _tasks(embedded, SV1, 1, "QUEUED")
    embedded.published.clear()
    _through_the_queue(embedded, device_event("OFFLINE", arn=SV1, region=region))
    (notice,) = _device_notices(embedded)
    assert notice["Subject"] == "Braket device OFFLINE: amazon/sv1, 1 task waiting"
    assert notice["Record"].get("region") == region
    assert ("consoleUrl" in notice["Record"]) is (region is not None)


def test_a_device_arn_longer_than_braket_allows_is_set_aside_on_its_first_receive(embedded) -> None:
    # A 2,142-character device ARN was accepted, then refused by DynamoDB (a key over 2,048 bytes) on
    # each of 60 receives, six hours, before the redrive set it aside without its error
    event = device_event("OFFLINE", arn=long_device_arn(2_142), detail_type=QPU_STATUS)
    embedded.deliver(event)
    (batch,) = embedded.drain()
    assert batch.retried == []
    (letter,) = embedded.dead_letters()
    assert letter.receive_count == 1 and json.loads(letter.body) == event
    assert (letter.attributes["errorType"], letter.attributes["field"]) == ("InvalidEventError", "detail.deviceArn")
    assert "is 2142 characters; Braket ARNs are at most 256" in letter.attributes["errorMessage"]
    assert embedded.dynamodb.scan(TableName="braket-task-audit")["Items"] == []
