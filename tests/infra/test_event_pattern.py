"""The synthesized rules' event pattern, run through moto's EventBridge matcher.

Each Braket region's rule (the main stack's in the main region, a forwarder's elsewhere) is created in
moto in its region with an SQS probe target; task events in every status are accepted there, and
events that only look similar are not.
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from moto import mock_aws

from infra.stacks import MAIN_STACK_NAME, forwarder_stack_name
from tests.infra.helpers import only

pytestmark = pytest.mark.infra

TASK_STATUSES = ("CREATED", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED")
ACCOUNT = "123456789012"


def _task_event(region: str, status: str) -> dict:
    task_arn = f"arn:aws:braket:{region}:{ACCOUNT}:quantum-task/{uuid.uuid4()}"
    return {
        "Source": "aws.braket",
        "DetailType": "Braket Task State Change",
        "Resources": [task_arn],
        "Detail": json.dumps(
            {
                "quantumTaskArn": task_arn,
                "status": status,
                "deviceArn": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
                "shots": "100",
                "outputS3Bucket": "amazon-braket-results",
                "outputS3Directory": "tasks/1",
                "createdAt": "2025-01-01T00:00:00.000Z",
                "eventName": "MODIFY",
            }
        ),
    }


def _look_alikes(region: str) -> dict[str, dict]:
    task = _task_event(region, "COMPLETED")
    return {
        "job event": {
            **task,
            "DetailType": "Braket Job State Change",
            "Detail": json.dumps({"jobArn": f"arn:aws:braket:{region}:{ACCOUNT}:job/j1", "status": "COMPLETED"}),
        },
        "device event": {
            **task,
            "DetailType": "Braket Device Availability Change",
            "Detail": json.dumps(
                {"deviceArn": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1", "status": "ONLINE"}
            ),
        },
        "CloudTrail call": {
            **task,
            "DetailType": "AWS API Call via CloudTrail",
            "Detail": json.dumps({"eventSource": "braket.amazonaws.com", "eventName": "CreateQuantumTask"}),
        },
        "other AWS source": {**task, "Source": "aws.ec2"},
        "custom source": {**task, "Source": "custom.braket"},
        "no detail-type match": {**task, "DetailType": "Braket Task State Changed"},
    }


def _rule_pattern(synthesis, region: str) -> dict:
    stack = MAIN_STACK_NAME if region == synthesis.monitor.config.main_region else forwarder_stack_name(region)
    _, rule = only(
        {
            logical_id: resource
            for logical_id, resource in synthesis.template_dict(stack)["Resources"].items()
            if resource["Type"] == "AWS::Events::Rule"
        }
    )
    return rule["Properties"]["EventPattern"]


class _Probe:
    """A rule with the synthesized pattern, in one region, whose target is an SQS queue."""

    def __init__(self, region: str, pattern: dict) -> None:
        self.events = boto3.client("events", region_name=region)
        self.sqs = boto3.client("sqs", region_name=region)
        self.queue_url = self.sqs.create_queue(QueueName="probe")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.events.put_rule(Name="task-state-changes", EventPattern=json.dumps(pattern))
        self.events.put_targets(Rule="task-state-changes", Targets=[{"Id": "probe", "Arn": queue_arn}])

    def put(self, entries: list[dict]) -> None:
        for start in range(0, len(entries), 10):
            response = self.events.put_events(Entries=entries[start : start + 10])
            assert response["FailedEntryCount"] == 0

    def received(self) -> list[dict]:
        bodies = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield


def test_given_task_events_in_every_status_and_braket_region_then_each_regions_rule_accepts_them(synthesis, aws):
    for region in synthesis.monitor.config.braket_regions:
        probe = _Probe(region, _rule_pattern(synthesis, region))
        sent = [_task_event(region, status) for status in TASK_STATUSES]

        probe.put(sent)
        received = probe.received()

        assert sorted(event["detail"]["status"] for event in received) == sorted(TASK_STATUSES), region
        assert {event["detail-type"] for event in received} == {"Braket Task State Change"}
        assert {event["resources"][0] for event in received} == {entry["Resources"][0] for entry in sent}


def test_given_events_that_only_look_like_task_events_then_no_regions_rule_accepts_them(synthesis, aws):
    for region in synthesis.monitor.config.braket_regions:
        probe = _Probe(region, _rule_pattern(synthesis, region))

        for name, entry in _look_alikes(region).items():
            probe.put([entry])
            assert probe.received() == [], f"{name} matched in {region}"


def test_given_an_event_from_another_region_then_the_main_rule_still_accepts_it(synthesis, aws):
    # A forwarded event keeps its original region and account; the main rule must not care.
    pattern = _rule_pattern(synthesis, synthesis.monitor.config.main_region)

    assert not {"region", "account"} & set(pattern)
    probe = _Probe(synthesis.monitor.config.main_region, pattern)
    probe.put([_task_event("eu-north-1", "COMPLETED")])
    assert len(probe.received()) == 1


def test_given_the_rules_then_they_select_exactly_the_detail_types_the_function_dispatches(synthesis):
    from task_monitor.wiring import build_dispatcher

    class _AnyMonitor:
        def process(self, event):  # pragma: no cover - never called: only the detail-types are read
            raise AssertionError(event)

    dispatched = set(build_dispatcher(_AnyMonitor()).detail_types)  # type: ignore[arg-type]
    for region in synthesis.monitor.config.braket_regions:
        assert set(_rule_pattern(synthesis, region)["detail-type"]) == dispatched
