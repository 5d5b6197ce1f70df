"""The "Estimated cost" line of the emails and the Number attribute a filter policy can match."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from task_monitor.domain.cost.display import cost_attributes, cost_line, priced_parts
from task_monitor.domain.cost.price_table import PriceTable
from task_monitor.domain.kinds.job.notification import render_job_notification
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.notification import render_notification
from task_monitor.domain.kinds.task.record import build_record
from task_monitor_devkit.builders.task import description, task_event

PRICES = PriceTable.shipped()


def _task_notification(status: str = "COMPLETED", **fields):
    change = parse_task_event(task_event(status))
    record = build_record(change, description(status, **fields), prices=PRICES)
    return record, render_notification(record)


def test_the_email_says_the_estimate_its_basis_and_the_table_date() -> None:
    record, notification = _task_notification(numSuccessfulShots=100)
    assert record["estimatedCost"]["amountUsd"] == "8.30"
    line = (
        # The basis leaves the shots and the date to the estimate's fields; the line says them.
        "Estimated cost: $8.30 — $0.30 per task + $0.08 per shot [A], 100 successful shots, prices of 2026-11-15."
    )
    assert line in notification.email_text.splitlines()
    assert json.loads(notification.json_body)["estimatedCost"] == record["estimatedCost"]
    assert notification.attributes["estimatedCostUsd"] == {"DataType": "Number", "StringValue": "8.30"}


def test_an_estimate_stored_before_issue_15_is_shown_as_it_was() -> None:
    """Its basis said the device, the shots and the date itself: none of them is said twice."""
    stored = {
        "amountUsd": "8.30",
        "shots": 100,
        "shotsBasis": "successful",
        "basis": "ionq/Forte-1 us-east-1: $0.30 per task + $0.08 x 100 successful shots (list price [A], "
        "table of 2026-11-15)",
        "priceTableDate": "2026-11-15",
        "approximate": False,
    }
    assert cost_line(stored) == f"Estimated cost: $8.30 — {stored['basis']}."


def test_a_guess_is_marked_and_an_unknown_price_says_unknown() -> None:
    assert cost_line({"amountUsd": "80.30", "approximate": True, "basis": "b", "priceTableDate": "d"}) == (
        "Estimated cost: ≈ $80.30 (approximate) — b, prices of d."
    )
    unknown = {"approximate": True, "basis": "price unknown: no qpuTask price", "priceTableDate": "d"}
    assert cost_line(unknown) == "Estimated cost: unknown — price unknown: no qpuTask price, prices of d."
    assert cost_attributes(unknown) == {}
    assert cost_line(None) is None and cost_attributes(None) == {}


def test_a_record_without_an_estimate_has_no_cost_line_or_attribute() -> None:
    record = build_record(parse_task_event(task_event("COMPLETED")), None)
    notification = render_notification(record)
    assert "Estimated cost" not in notification.email_text and "estimatedCostUsd" not in notification.attributes


def test_the_job_email_and_attributes_carry_the_jobs_estimate() -> None:
    from task_monitor_devkit.builders.job import JOB_ARN

    record = {
        "eventId": "e",
        "eventTime": "2026-11-23T16:02:12.000Z",
        "jobArn": JOB_ARN,
        "status": "COMPLETED",
        "accountId": "123456789012",
        "region": "us-east-1",
        "estimatedCost": {
            "amountUsd": "9.10",
            "basis": "instances: ...; tasks: 1 priced = $8.30",
            "priceTableDate": "2026-11-15",
            "approximate": True,
        },
    }
    notification = render_job_notification(record)  # type: ignore[arg-type]
    assert "Estimated cost: ≈ $9.10 (approximate) — instances: ...; tasks: 1 priced = $8.30, prices of 2026-11-15." in (
        notification.email_text
    )
    assert notification.attributes["estimatedCostUsd"]["StringValue"] == "9.10"


@mock_aws
def test_a_numeric_filter_policy_on_the_estimate_lets_only_the_costly_tasks_through(monkeypatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    sns = boto3.client("sns", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    topic = sns.create_topic(Name="notifications")["TopicArn"]
    queue = sqs.create_queue(QueueName="costly")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"estimatedCostUsd": [{"numeric": [">=", 5]}]}
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"FilterPolicy": json.dumps(policy), "RawMessageDelivery": "true"},
    )
    for name, fields in {"costly": {"numSuccessfulShots": 100}, "cheap": {"numSuccessfulShots": 10}}.items():
        _, notification = _task_notification(**fields)  # $8.30 and $1.10
        sns.publish(TopicArn=topic, Message=name, MessageAttributes=notification.attributes)
    _, failed = _task_notification("FAILED")  # $0
    sns.publish(TopicArn=topic, Message="failed", MessageAttributes=failed.attributes)
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    assert [message["Body"] for message in received] == ["costly"]


@pytest.mark.parametrize(
    ("cost", "floor"),
    [
        ({"amountUsd": None, "parts": {"tasksUsd": "48.60"}}, "48.60"),
        ({"amountUsd": None, "parts": {"instancesUsd": "1.25", "tasksUsd": "0.30"}}, "1.55"),
        ({"amountUsd": "49.85", "parts": {"instancesUsd": "1.25", "tasksUsd": "48.60"}}, None),  # the amount says it
        ({"amountUsd": None, "parts": {"tasksUsd": "0"}}, None),  # nothing priced: no floor worth showing
        ({"amountUsd": None, "parts": {}}, None),
        ({"amountUsd": None}, None),  # a task's estimate has no parts
        ({"amountUsd": None, "parts": {"tasksUsd": "n/a"}}, None),  # malformed: never a made-up floor
        ({"amountUsd": None, "parts": ["48.60"]}, None),
    ],
)
def test_an_estimate_without_an_amount_has_its_priced_parts_as_a_floor(cost: dict, floor: str | None) -> None:
    assert priced_parts(cost) == floor
