"""The in-process AWS answers used by the burst test and the benchmarks (task_monitor_devkit.http_answers):
the real audit store against the fake table, and the canned answers' paths."""

from __future__ import annotations

import botocore.session
import pytest

from task_monitor.adapters.audit_store import DynamoAuditStore
from task_monitor.domain.ports import SaveOutcome
from task_monitor_devkit.http_answers import DUPLICATE, LATE, CannedAws, Condition, FakeAuditTable, installed


@pytest.fixture
def dynamodb_with(request):
    def make(handler):
        with installed(handler):
            return botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")

    return make


def _record(status: str, event_id: str, time: str) -> dict:
    return {
        "eventId": event_id,
        "quantumTaskArn": "arn:aws:braket:us-east-1:123456789012:quantum-task/t1",
        "status": status,
        "statusAtEnrichment": "COMPLETED",
        "eventTime": time,
        "deviceArn": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
    }


@pytest.mark.parametrize(
    ("expression", "item", "expected"),
    [
        ("attribute_not_exists(#pk)", None, True),
        ("attribute_not_exists(#pk) OR #rank < :rank", {"pk": {"S": "x"}, "statusRank": {"N": "5"}}, False),
        ("#rank = :rank AND (#t < :t OR NOT #t = :t)", {"statusRank": {"N": "2"}, "eventTime": {"S": "a"}}, True),
        ("#pk = :pk AND begins_with(#sk, :prefix)", {"pk": {"S": "p"}, "sk": {"S": "EVENT#1"}}, True),
    ],
)
def test_conditions_are_evaluated(expression, item, expected) -> None:
    names = {"#pk": "pk", "#sk": "sk", "#rank": "statusRank", "#t": "eventTime"}
    values = {":rank": {"N": "2"}, ":t": {"S": "b"}, ":pk": {"S": "p"}, ":prefix": {"S": "EVENT#"}}
    assert Condition(expression, names, values)(item) is expected


def test_the_audit_store_against_the_fake_table(dynamodb_with) -> None:
    table = FakeAuditTable()
    store = DynamoAuditStore(dynamodb_with(table), "braket-task-audit", now=lambda: 1000.0)
    assert store.save(_record("COMPLETED", "e3", "2026-11-20T11:43:40Z"), claim="c1") is SaveOutcome.RECORDED
    assert store.save(_record("COMPLETED", "e3", "2026-11-20T11:43:40Z"), claim="c1") is (
        SaveOutcome.DUPLICATE_UNANNOUNCED  # our own claim, not yet marked sent
    )
    store.mark_notified(_record("COMPLETED", "e3", "2026-11-20T11:43:40Z"))
    assert store.save(_record("COMPLETED", "e3", "2026-11-20T11:43:40Z"), claim="c2") is SaveOutcome.DUPLICATE
    assert store.save(_record("QUEUED", "e1", "2026-11-20T09:00:03Z"), claim=None) is SaveOutcome.RECORDED_LATE
    store.save(_record("RUNNING", "e2", "2026-11-20T11:41:17Z"), claim=None)
    assert store.history_facts(_record("RUNNING", "e2", "")["quantumTaskArn"]).running_since == "2026-11-20T11:41:17Z"
    (partition,) = table.items.values()
    assert partition["LATEST"]["status"] == {"S": "COMPLETED"}
    assert sorted(key.split("#")[-1] for key in partition if key.startswith("EVENT#")) == ["e1", "e2", "e3"]


@pytest.mark.parametrize(
    ("path", "outcome"),
    [("new", SaveOutcome.RECORDED), (DUPLICATE, SaveOutcome.DUPLICATE), (LATE, SaveOutcome.RECORDED_LATE)],
)
def test_canned_answers_take_the_path_asked_for(dynamodb_with, path, outcome) -> None:
    store = DynamoAuditStore(dynamodb_with(CannedAws(transact=path)), "braket-task-audit")
    assert store.save(_record("QUEUED", "e1", "2026-11-20T09:00:03Z"), claim=None) is outcome
