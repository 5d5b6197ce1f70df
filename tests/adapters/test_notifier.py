"""Publishing to moto's SNS: what subscribers receive, and how filter policies select."""

from __future__ import annotations

import json

import botocore.session
import pytest
from moto import mock_aws

from task_monitor.adapters.notifier import SnsPublisher
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.notification import render_notification
from task_monitor.domain.kinds.task.record import build_record
from task_monitor_devkit.builders.task import GARNET, description, fully_described, task_arn, task_event


@pytest.fixture
def sns_with_queues():
    with mock_aws():
        session = botocore.session.get_session()
        sns = session.create_client("sns", region_name="us-east-1")
        sqs = session.create_client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="notifications")["TopicArn"]

        def subscribe(name: str, policy: dict | None) -> str:
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes = {"FilterPolicy": json.dumps(policy)} if policy else {}
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
            return url

        queues = {
            "all": subscribe("all", None),
            "failed": subscribe("failed", {"status": ["FAILED"]}),
            "garnet": subscribe("garnet", {"deviceArn": [GARNET]}),
            "ionq": subscribe("ionq", {"provider": ["ionq"]}),
            "alice": subscribe("alice", {"tags": ["owner=alice"]}),
            "jobs": subscribe("jobs", {"jobArn": [{"exists": True}]}),
        }

        def received(name: str) -> list[dict]:
            messages = sqs.receive_message(QueueUrl=queues[name], MaxNumberOfMessages=10).get("Messages", [])
            return [json.loads(m["Body"]) for m in messages]

        yield SnsPublisher(sns, topic), received


def _notification(status: str, arn: str, device: str, answer: dict):
    return render_notification(build_record(parse_task_event(task_event(status, arn=arn, device=device)), answer))


def test_subscribers_get_the_json_record_with_subject_and_attributes(sns_with_queues) -> None:
    publisher, received = sns_with_queues
    notification = _notification(
        "COMPLETED", task_arn(), "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1", fully_described()
    )
    message_id = publisher.publish(notification)
    (envelope,) = received("all")
    assert envelope["MessageId"] == message_id
    assert envelope["Subject"] == notification.subject
    assert json.loads(envelope["Message"])["status"] == "COMPLETED"
    assert envelope["MessageAttributes"]["provider"]["Value"] == "ionq"


def test_filter_policies_select_by_status_device_provider_tag_and_job(sns_with_queues) -> None:
    publisher, received = sns_with_queues
    forte = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
    # A COMPLETED job task by alice on Forte-1, and a FAILED task with no tags or job on Garnet
    publisher.publish(_notification("COMPLETED", task_arn(task_id="a1"), forte, fully_described()))
    publisher.publish(_notification("FAILED", task_arn("eu-north-1", "b2"), GARNET, description("FAILED", tags={})))
    statuses = {
        name: [json.loads(m["Message"])["status"] for m in received(name)]
        for name in ("failed", "garnet", "ionq", "alice", "jobs")
    }
    assert statuses == {
        "failed": ["FAILED"],
        "garnet": ["FAILED"],
        "ionq": ["COMPLETED"],
        "alice": ["COMPLETED"],
        "jobs": ["COMPLETED"],
    }


def test_the_longest_publish_is_derived_from_the_client_configuration() -> None:
    from task_monitor.adapters.audit_store import CLAIM_TIMEOUT_SECONDS
    from task_monitor.wiring import AWS_CLIENT_CONFIG

    sns = botocore.session.get_session().create_client("sns", region_name="us-east-1", config=AWS_CLIENT_CONFIG)
    publisher = SnsPublisher(sns, "arn:aws:sns:us-east-1:123456789012:notifications")
    # 4 attempts x (connect 3 s + read 5 s) + backoff before attempts 2..4 (at most 1 + 2 + 4 s)
    assert publisher.longest_publish_seconds == 4 * (3 + 5) + 7 == 39
    # A fresh claim leaves ample room: a publish starts at the latest 50 s after the claim is taken
    assert CLAIM_TIMEOUT_SECONDS - 1 - publisher.longest_publish_seconds >= 45
