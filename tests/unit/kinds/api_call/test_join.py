"""The call pipeline with an in-memory store, and callers on task records and notifications."""

from __future__ import annotations

import json
from typing import Any

import pytest

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.callers import UNKNOWN_CALLER, Caller, principal_only, with_caller_details
from task_monitor.domain.kinds.api_call.event import parse_api_call
from task_monitor.domain.kinds.api_call.monitor import ApiCallMonitor
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.monitor import TaskMonitor
from task_monitor.domain.kinds.task.notification import render_notification
from task_monitor.domain.kinds.task.record import build_record
from task_monitor.domain.ports import HistoryFacts, SaveOutcome
from task_monitor_devkit.builders.api_call import (
    JOB_ARN,
    NEVER_STORED,
    assumed_role,
    cancel_job_call,
    cancel_task_call,
    create_job_call,
    create_task_call,
    failed_create_task_call,
    iam_user,
)
from task_monitor_devkit.builders.task import TASK_ARN, description, task_event
from tests.support.fakes import FROM_QUEUE, FakeBraket, FakeJoinStore, FakePublisher, FakeStore
from tests.support.telemetry import telemetry_of


def _caller(event: dict[str, Any]) -> Caller:
    return parse_api_call(event).caller


def test_call_is_joined_onto_its_kind_under_its_role() -> None:
    tasks, jobs = FakeJoinStore(), FakeJoinStore(SaveOutcome.RECORDED_LATE)
    monitor = ApiCallMonitor({"task": tasks, "job": jobs})
    task_result = monitor.process(create_task_call(TASK_ARN), FROM_QUEUE)
    job_result = monitor.process(cancel_job_call(JOB_ARN), FROM_QUEUE)
    assert [(record["quantumTaskArn"], role) for record, role in tasks.joined] == [(TASK_ARN, "createdBy")]
    assert [(record["jobArn"], role) for record, role in jobs.joined] == [(JOB_ARN, "cancelledBy")]
    assert (task_result.kind, task_result.source, task_result.outcome) == ("task", "apiCall", SaveOutcome.RECORDED)
    assert (job_result.kind, job_result.arn, job_result.outcome) == ("job", JOB_ARN, SaveOutcome.RECORDED_LATE)
    assert not task_result.notified and task_result.summary()["source"] == "apiCall"


def test_failed_call_writes_nothing_and_is_not_an_error() -> None:
    tasks = FakeJoinStore()
    result = ApiCallMonitor({"task": tasks, "job": FakeJoinStore()}).process(failed_create_task_call(), FROM_QUEUE)
    assert tasks.joined == []
    assert (result.outcome, result.kind, result.source, result.notified) == (
        SaveOutcome.NOT_RECORDED,
        "task",
        "apiCall",
        False,
    )
    assert result.record["errorCode"] == "ValidationException"


def test_unjoined_call_counts_as_not_joined_and_says_why(capsys) -> None:
    result = ApiCallMonitor({"task": FakeJoinStore(), "job": FakeJoinStore()}).process(
        failed_create_task_call(), FROM_QUEUE
    )
    seen = telemetry_of(result, capsys)
    out, lines = seen.text, seen.lines
    (not_joined,) = [line for line in lines if line.get("message") == "API call not joined"]
    assert not_joined["eventName"] == "CreateQuantumTask" and "ValidationException" in not_joined["reason"]
    assert any("ApiCallsNotJoined" in line for line in lines)
    assert not any("ApiCallsJoined" in line for line in lines)
    for secret in NEVER_STORED:
        assert secret not in out


def test_joined_call_counts_by_call_name(capsys) -> None:
    result = ApiCallMonitor({"task": FakeJoinStore(), "job": FakeJoinStore()}).process(
        create_job_call(JOB_ARN), FROM_QUEUE
    )
    seen = telemetry_of(result, capsys)
    out, lines = seen.text, seen.lines
    assert any(line.get("call") == "CreateJob" and "ApiCallsJoined" in line for line in lines)
    assert not any("ApiCallsNotJoined" in line for line in lines)
    for secret in NEVER_STORED:
        assert secret not in out


# -- the task record and its notification ------------------------------------------------------
def _record(status: str, **callers: Any) -> dict[str, Any]:
    return dict(build_record(parse_task_event(task_event(status)), description(status), **callers))


def test_known_callers_go_on_the_record_unknown_ones_do_not() -> None:
    creator = _caller(create_task_call(TASK_ARN))
    record = _record("CANCELLED", created_by=creator, cancelled_by=UNKNOWN_CALLER)
    # who, not the person's details: those stay on the call's own history item (domain/callers.py)
    assert record["createdBy"] == principal_only(creator) and "cancelledBy" not in record
    assert record["createdBy"]["principal"] == creator["principal"]
    assert not {"sessionName", "sourceIPAddress", "userAgent", "principalId", "arn"} & set(record["createdBy"])
    assert "createdBy" not in _record("COMPLETED")


def test_notification_names_creator_and_canceller_by_principal_and_no_more() -> None:
    creator = _caller(create_task_call(TASK_ARN, identity=assumed_role("QubitWrangler", "marisol")))
    canceller = _caller(cancel_task_call(TASK_ARN, identity=iam_user("tomasz")))
    notification = render_notification(_record("CANCELLED", created_by=creator, cancelled_by=canceller))
    assert "Created by    arn:aws:iam::123456789012:role/QubitWrangler\n" in notification.email_text
    assert "Cancelled by  arn:aws:iam::123456789012:user/tomasz\n" in notification.email_text
    for detail in ("marisol", "203.0.113.58", "Boto3", "AROA"):
        assert detail not in notification.email_text and detail not in notification.json_body
    assert notification.attributes["createdBy"]["StringValue"] == "arn:aws:iam::123456789012:role/QubitWrangler"


def test_notification_names_callers_in_full_when_configured() -> None:
    creator = _caller(create_task_call(TASK_ARN, identity=assumed_role("QubitWrangler", "marisol")))
    canceller = _caller(cancel_task_call(TASK_ARN, identity=iam_user("tomasz")))
    record = _record("CANCELLED", created_by=creator, cancelled_by=canceller)
    notification = render_notification(with_caller_details(record, creator, canceller))  # type: ignore[arg-type]
    assert (
        "Created by    arn:aws:iam::123456789012:role/QubitWrangler (session marisol) from 203.0.113.58"
        in notification.email_text
    )
    assert "Cancelled by  arn:aws:iam::123456789012:user/tomasz from 203.0.113.58" in notification.email_text
    assert notification.attributes["createdBy"] == {
        "DataType": "String",
        "StringValue": "arn:aws:iam::123456789012:role/QubitWrangler",
    }
    assert notification.attributes["cancelledBy"]["StringValue"] == "arn:aws:iam::123456789012:user/tomasz"
    body = json.loads(notification.json_body)
    assert body["createdBy"]["sessionName"] == "marisol" and body["cancelledBy"]["userName"] == "tomasz"


def test_notification_without_calls_says_unknown_and_only_cancels_name_a_canceller() -> None:
    completed = render_notification(_record("COMPLETED"))
    assert "Created by    unknown (no CloudTrail record of the call received yet)" in completed.email_text
    assert "Cancelled by" not in completed.email_text and "cancelledBy" not in completed.attributes
    assert completed.attributes["createdBy"]["StringValue"] == "unknown"
    cancelled = render_notification(_record("CANCELLED"))
    assert "Cancelled by  unknown (no CloudTrail record" in cancelled.email_text
    assert cancelled.attributes["cancelledBy"]["StringValue"] == "unknown"


def test_attribute_count_stays_within_what_sns_takes() -> None:
    creator = _caller(create_task_call(TASK_ARN))
    record = _record("CANCELLED", created_by=creator, cancelled_by=creator)
    record["jobArn"] = JOB_ARN
    assert len(render_notification(record).attributes) <= 10  # SNS: at most 10 message attributes


class FactsStore(FakeStore):
    def __init__(self, facts: HistoryFacts) -> None:
        super().__init__()
        self.facts = facts

    def history_facts(self, arn: str) -> HistoryFacts:
        self.running_asked += 1
        return self.facts


@pytest.mark.parametrize("status", ["COMPLETED", "CANCELLED"])
def test_ending_task_takes_its_callers_from_the_history(status: str) -> None:
    creator = _caller(create_task_call(TASK_ARN))
    canceller = _caller(cancel_task_call(TASK_ARN, identity=iam_user()))
    store, publisher = FactsStore(HistoryFacts(created_by=creator, cancelled_by=canceller)), FakePublisher()
    monitor = TaskMonitor(
        FakeBraket(description(status)),
        store,
        Announcer(publisher, claim_timeout_seconds=90, now=lambda: 1_000_000.0),
        frozenset({"COMPLETED", "CANCELLED"}),
        clock=lambda: "2026-11-20T12:00:00.000Z",
    )
    result = monitor.process(task_event(status), FROM_QUEUE)
    assert result.record["createdBy"] == principal_only(creator)
    assert result.record["cancelledBy"] == principal_only(canceller)
    (sent,) = publisher.sent
    assert sent.attributes["createdBy"]["StringValue"] == creator["principal"]
    assert ("Cancelled by" in sent.email_text) is (status == "CANCELLED")
    assert creator["sourceIPAddress"] not in sent.email_text and "sessionName" not in sent.json_body


@pytest.mark.parametrize("details", [False, True])
def test_callers_details_reach_the_notification_only_when_configured_and_never_the_record(details: bool) -> None:
    creator = _caller(create_task_call(TASK_ARN, identity=assumed_role("QubitWrangler", "marisol")))
    store, publisher = FactsStore(HistoryFacts(created_by=creator)), FakePublisher()
    monitor = TaskMonitor(
        FakeBraket(description("COMPLETED")),
        store,
        Announcer(publisher, claim_timeout_seconds=90, now=lambda: 1_000_000.0),
        frozenset({"COMPLETED"}),
        clock=lambda: "2026-11-20T12:00:00.000Z",
        notify_caller_details=details,
    )
    result = monitor.process(task_event("COMPLETED"), FROM_QUEUE)
    assert result.record["createdBy"] == principal_only(creator)  # stored: who, either way
    (sent,) = publisher.sent
    assert ("(session marisol) from 203.0.113.58" in sent.email_text) is details
    assert ("marisol" in sent.json_body) is details


# -- the burst tests' in-memory table understands what state events now send ------------------------
def test_the_fake_audit_table_writes_unknown_callers_only_where_none_is() -> None:
    import botocore.session

    from task_monitor.adapters.audit_store import DynamoAuditStore
    from task_monitor_devkit.http_answers import FakeAuditTable, installed

    table = FakeAuditTable()
    with installed(table):
        client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
    store = DynamoAuditStore(client, "braket-task-audit", now=lambda: 1000.0)
    store.save(_record("QUEUED"), claim=None)
    (partition,) = table.items.values()
    assert partition["LATEST"]["createdBy"] == {"M": {"principal": {"S": "unknown"}}}
    creator = _caller(create_task_call(TASK_ARN))
    store.save(_record("CANCELLING", created_by=creator), claim=None)  # if_not_exists: "unknown" stays
    assert partition["LATEST"]["createdBy"] == {"M": {"principal": {"S": "unknown"}}}
    assert partition["LATEST"]["cancelledBy"] == {"M": {"principal": {"S": "unknown"}}}
    assert partition["LATEST"]["status"] == {"S": "CANCELLING"}


@pytest.mark.parametrize(
    ("arrival", "via"),
    [(Arrival.direct(), "direct"), (Arrival.replay("arn:aws:iam::123456789012:role/Operator"), "replay")],
)
def test_a_call_kept_unjoined_counts_by_its_arrival_never_as_joined(capsys, arrival: Arrival, via: str) -> None:
    result = ApiCallMonitor({"task": FakeJoinStore(), "job": FakeJoinStore()}).process(
        create_task_call(TASK_ARN), arrival
    )
    seen = telemetry_of(result, capsys)
    kept = [line for line in seen.lines if "ApiCallsKeptUnjoined" in line]
    assert len(kept) == 1 and kept[0]["arrival"] == via
    assert not any("ApiCallsJoined" in line for line in seen.lines)
    (warning,) = [line for line in seen.lines if str(line.get("message", "")).startswith("API call kept unjoined")]
    assert warning["level"] == "WARNING" and warning["arrival"]["via"] == via
