"""The synthesized rules' event pattern, run through moto's EventBridge matcher.

Each Braket region's rule (the main stack's in the main region, a forwarder's elsewhere) is created in
moto in its region with an SQS probe target. Every kind the function takes is accepted there (task and
hybrid job events in every status, device and QPU status changes, the four Braket API calls through
CloudTrail), and events that only look similar are not (other Braket API calls, other event sources,
other senders, near-miss detail-types).
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from moto import mock_aws

from infra.stacks import MAIN_STACK_NAME, forwarder_stack_name
from task_monitor.domain import detail_types, registry
from tests.infra.helpers import DEVICE_ARN

pytestmark = pytest.mark.infra

TASK_STATUSES = ("CREATED", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED")
JOB_STATUSES = ("QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED")
ACCOUNT = "123456789012"
# Braket operations (botocore 1.44's model) the rule must not take: only the four joined calls are.
OTHER_BRAKET_CALLS = (
    "CreateSpendingLimit",
    "DeleteSpendingLimit",
    "UpdateSpendingLimit",
    "TagResource",
    "UntagResource",
    "GetQuantumTask",
    "GetJob",
    "GetDevice",
    "SearchQuantumTasks",
    "SearchJobs",
    "SearchDevices",
    "ListTagsForResource",
)


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
                "deviceArn": DEVICE_ARN,
                "shots": "100",
                "outputS3Bucket": "amazon-braket-results",
                "outputS3Directory": "tasks/1",
                "createdAt": "2025-01-01T00:00:00.000Z",
                "eventName": "MODIFY",
            }
        ),
    }


def _job_event(region: str, status: str) -> dict:
    job_arn = f"arn:aws:braket:{region}:{ACCOUNT}:job/{uuid.uuid4()}"  # job ARNs end in a UUID
    return {
        "Source": "aws.braket",
        "DetailType": "Braket Job State Change",
        "Resources": [job_arn],
        "Detail": json.dumps({"jobArn": job_arn, "status": status, "createdAt": "2025-01-01T00:00:00.000Z"}),
    }


def _device_event(detail_type: str, status: str) -> dict:
    return {
        "Source": "aws.braket",
        "DetailType": detail_type,
        "Resources": [DEVICE_ARN],
        "Detail": json.dumps({"deviceArn": DEVICE_ARN, "status": status}),
    }


def _api_call(region: str, event_name: str, *, event_source: str = "braket.amazonaws.com") -> dict:
    task_arn = f"arn:aws:braket:{region}:{ACCOUNT}:quantum-task/{uuid.uuid4()}"
    return {
        "Source": "aws.braket",
        "DetailType": "AWS API Call via CloudTrail",
        "Resources": [],
        "Detail": json.dumps(
            {
                "eventVersion": "1.11",
                "eventID": str(uuid.uuid4()),
                "eventSource": event_source,
                "eventName": event_name,
                "awsRegion": region,
                "eventType": "AwsApiCall",
                "readOnly": event_name.startswith(("Get", "Search", "List")),
                "requestParameters": {"deviceArn": DEVICE_ARN, "shots": 100},
                "responseElements": {"quantumTaskArn": task_arn},
            }
        ),
    }


def _accepted(region: str) -> dict[str, dict]:
    """One event of every kind the function takes, by a name that says what it is."""
    kinds = {f"task {status}": _task_event(region, status) for status in TASK_STATUSES}
    kinds |= {f"job {status}": _job_event(region, status) for status in JOB_STATUSES}
    kinds |= {
        f"{detail_type} {status}": _device_event(detail_type, status)
        for detail_type in ("Braket Device Status Change", "Braket QPU Status Change")
        for status in ("ONLINE", "OFFLINE")
    }
    kinds |= {f"call {name}": _api_call(region, name) for name in detail_types.JOINED_API_CALLS}
    task = _task_event(region, "COMPLETED")
    kinds["spend change"] = {
        **task,
        "DetailType": detail_types.SPENDING_LIMIT_SPEND_CHANGE,
        "Detail": json.dumps({"spendingLimitArn": f"arn:aws:braket:{region}:{ACCOUNT}:spending-limit/x"}),
    }
    return kinds


def _look_alikes(region: str) -> dict[str, dict]:
    task = _task_event(region, "COMPLETED")
    job = _job_event(region, "COMPLETED")
    call = _api_call(region, "CreateQuantumTask")
    foreign = {f"Braket call {name}": _api_call(region, name) for name in OTHER_BRAKET_CALLS}
    return {
        **foreign,
        "joined call name from another service": _api_call(
            region, "CreateQuantumTask", event_source="s3.amazonaws.com"
        ),
        "joined call name, event source look-alike": _api_call(
            region, "CancelJob", event_source="braket.amazonaws.com.example.org"
        ),
        "call without eventSource": {**call, "Detail": json.dumps({"eventName": "CreateJob"})},
        "call without eventName": {**call, "Detail": json.dumps({"eventSource": "braket.amazonaws.com"})},
        "call name in another case": _api_call(region, "createquantumtask"),
        "call via CloudTrail's own source": {**call, "Source": "aws.cloudtrail"},
        "console action, not an API call": {**call, "DetailType": "AWS Console Action via CloudTrail"},
        "service event via CloudTrail": {**call, "DetailType": "AWS Service Event via CloudTrail"},
        "spending limit event from a custom source": {
            **task,
            "Source": "custom.braket",
            "DetailType": "Braket Spending Limit Spend Change",
            "Detail": json.dumps({"deviceArn": DEVICE_ARN}),
        },
        "device availability look-alike": {**_device_event("Braket Device Availability Change", "ONLINE")},
        "other AWS source": {**task, "Source": "aws.ec2"},
        "custom source": {**task, "Source": "custom.braket"},
        "job event from a custom source": {**job, "Source": "custom.braket"},
        "task detail-type near miss": {**task, "DetailType": "Braket Task State Changed"},
        "job detail-type in lower case": {**job, "DetailType": "braket job state change"},
        "QPU detail-type with a trailing space": {**_device_event("Braket QPU Status Change ", "ONLINE")},
    }


ACCOUNT_TOKEN = {"Ref": "AWS::AccountId"}


def _rule_patterns(synthesis, region: str, account: str = ACCOUNT) -> list[dict]:
    """The patterns of the region's rules (the main region has two), the account token as ``account``."""
    stack = MAIN_STACK_NAME if region == synthesis.monitor.config.main_region else forwarder_stack_name(region)
    rules = [
        resource
        for resource in synthesis.template_dict(stack)["Resources"].values()
        if resource["Type"] == "AWS::Events::Rule" and "EventPattern" in resource["Properties"]
    ]
    patterns = [rule["Properties"]["EventPattern"] for rule in rules]
    assert all(pattern["account"] == [ACCOUNT_TOKEN] for pattern in patterns), "every rule pins this account"
    return [
        json.loads(json.dumps(pattern).replace(json.dumps(ACCOUNT_TOKEN), json.dumps(account))) for pattern in patterns
    ]


class _Probe:
    """The region's rules with the synthesized patterns, in moto, each with an SQS queue as its target."""

    def __init__(self, region: str, patterns: list[dict]) -> None:
        self.events = boto3.client("events", region_name=region)
        self.sqs = boto3.client("sqs", region_name=region)
        self.queue_url = self.sqs.create_queue(QueueName="probe")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for position, pattern in enumerate(patterns):
            self.events.put_rule(Name=f"braket-{position}", EventPattern=json.dumps(pattern))
            self.events.put_targets(Rule=f"braket-{position}", Targets=[{"Id": "probe", "Arn": queue_arn}])

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


def _identity(event: dict) -> tuple:
    """What tells the received events apart: the detail-type and the key fields of the detail."""
    detail = event["detail"]
    return (
        event["detail-type"],
        detail.get("status"),
        detail.get("eventName") if event["detail-type"] == detail_types.API_CALL_VIA_CLOUDTRAIL else None,
    )


def _sent_identity(entry: dict) -> tuple:
    return _identity({"detail-type": entry["DetailType"], "detail": json.loads(entry["Detail"])})


def test_given_every_kind_the_function_takes_in_every_braket_region_then_each_regions_rule_accepts_it(synthesis, aws):
    for region in synthesis.monitor.config.braket_regions:
        probe = _Probe(region, _rule_patterns(synthesis, region))
        sent = _accepted(region)

        probe.put(list(sent.values()))
        received = probe.received()

        assert sorted(map(_identity, received), key=str) == sorted(map(_sent_identity, sent.values()), key=str), region
        assert {event["source"] for event in received} == {"aws.braket"}


def test_given_task_and_job_events_in_every_status_then_every_regions_rule_accepts_each_one(synthesis, aws):
    for region in synthesis.monitor.config.braket_regions:
        probe = _Probe(region, _rule_patterns(synthesis, region))
        sent = [_task_event(region, status) for status in TASK_STATUSES]
        sent += [_job_event(region, status) for status in JOB_STATUSES]

        probe.put(sent)
        received = probe.received()

        assert sorted(event["resources"][0] for event in received) == sorted(e["Resources"][0] for e in sent), region
        assert sorted(event["detail"]["status"] for event in received if "jobArn" in event["detail"]) == sorted(
            JOB_STATUSES
        )


def test_given_each_of_the_four_braket_calls_via_cloudtrail_then_every_regions_rule_accepts_it(synthesis, aws):
    for region in synthesis.monitor.config.braket_regions:
        probe = _Probe(region, _rule_patterns(synthesis, region))

        for name in detail_types.JOINED_API_CALLS:
            probe.put([_api_call(region, name)])
            (event,) = probe.received()
            assert (event["detail-type"], event["detail"]["eventName"]) == ("AWS API Call via CloudTrail", name)


def test_given_events_that_only_look_like_the_kinds_taken_then_no_regions_rule_accepts_them(synthesis, aws):
    for region in synthesis.monitor.config.braket_regions:
        probe = _Probe(region, _rule_patterns(synthesis, region))

        for name, entry in _look_alikes(region).items():
            probe.put([entry])
            assert probe.received() == [], f"{name} matched in {region}"


def test_given_events_from_another_region_then_the_main_rules_still_accept_every_kind(synthesis, aws):
    # A forwarded event keeps its original region (and its account, this one); the main rules name no region.
    patterns = _rule_patterns(synthesis, synthesis.monitor.config.main_region)

    assert not any("region" in pattern for pattern in patterns)
    probe = _Probe(synthesis.monitor.config.main_region, patterns)
    sent = _accepted("eu-north-1")
    probe.put(list(sent.values()))
    assert len(probe.received()) == len(sent)


def test_given_events_of_another_account_then_no_regions_rule_accepts_them(synthesis, aws):
    # moto sends every event from its one account: rules pinned to another account must take none.
    for region in synthesis.monitor.config.braket_regions:
        probe = _Probe(region, _rule_patterns(synthesis, region, account="210987654321"))
        probe.put(list(_accepted(region).values()))
        assert probe.received() == [], region  # (pinned to moto's account, they take them all: the first test)


def test_given_the_rules_then_every_one_pins_the_stacks_own_account(synthesis):
    for region in synthesis.monitor.config.braket_regions:
        for pattern in _rule_patterns(synthesis, region, account="THIS"):
            assert pattern["account"] == ["THIS"], region


def _detail_types(pattern: dict) -> set[str]:
    """Every detail-type a pattern accepts, in its own list or in any ``$or`` branch."""
    found = set(pattern.get("detail-type", []))
    for branch in pattern.get("$or", []):
        found |= _detail_types(branch)
    return found


def _all_detail_types(synthesis, region: str) -> set[str]:
    return {dt for pattern in _rule_patterns(synthesis, region) for dt in _detail_types(pattern)}


def test_given_the_rules_then_they_select_exactly_the_detail_types_defined_for_the_function(synthesis):
    for region in synthesis.monitor.config.braket_regions:
        assert _all_detail_types(synthesis, region) == set(registry.ALL_DETAIL_TYPES), region


def test_given_the_rules_then_api_calls_are_taken_only_from_braket_and_only_the_four_joined_ones(synthesis):
    for region in synthesis.monitor.config.braket_regions:
        branches = [b for p in _rule_patterns(synthesis, region) for b in p.get("$or", [p])]
        (calls,) = [b for b in branches if detail_types.API_CALL_VIA_CLOUDTRAIL in b["detail-type"]]

        assert all(p["source"] == [detail_types.EVENT_SOURCE] for p in _rule_patterns(synthesis, region))
        calls = {key: value for key, value in calls.items() if key not in ("source", "account")}
        assert calls == {
            "detail-type": [detail_types.API_CALL_VIA_CLOUDTRAIL],
            "detail": {
                "eventSource": [detail_types.CLOUDTRAIL_EVENT_SOURCE],
                "eventName": list(detail_types.JOINED_API_CALLS),
            },
        }


def test_given_the_rules_then_they_select_exactly_the_detail_types_the_function_dispatches(synthesis, monkeypatch):
    import botocore.session

    from task_monitor.settings import Settings
    from task_monitor.wiring import build_dispatcher, build_pipelines

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings = Settings(
        audit_table_name="audit",
        notification_topic_arn=f"arn:aws:sns:us-east-1:{ACCOUNT}:notifications",
        notify_statuses=frozenset({"COMPLETED"}),
    )
    dispatched = set(build_dispatcher(build_pipelines(settings, botocore.session.get_session())).detail_types)
    for region in synthesis.monitor.config.braket_regions:
        assert _all_detail_types(synthesis, region) == dispatched
