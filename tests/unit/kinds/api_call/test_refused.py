"""Tasks a spending limit refused: recognised, their amounts read from Braket's message, announced once,
and naming who tried only when the call came through the events queue."""

from __future__ import annotations

import json

import pytest

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.callers import carries_caller_details
from task_monitor.domain.kinds.api_call.event import parse_api_call
from task_monitor.domain.kinds.api_call.monitor import ApiCallMonitor
from task_monitor.domain.kinds.api_call.refused import (
    RefusedTaskRecorder,
    is_spending_limit_refusal,
    refusal_amounts,
)
from task_monitor.domain.outcomes import SaveOutcome
from task_monitor_devkit.builders.api_call import (
    failed_create_task_call,
    iam_user,
    refused_create_task_call,
)
from task_monitor_devkit.builders.task import FORTE
from tests.support.fakes import FROM_QUEUE, FakeJoinStore, FakePublisher, FakeStore


def _monitor(store=None, publisher=None):
    store, publisher = store or FakeStore(SaveOutcome.RECORDED_LATE), publisher or FakePublisher()
    announcer = Announcer(publisher, claim_timeout_seconds=90, now=lambda: 1_000_000.0)
    joins = {"task": FakeJoinStore(), "job": FakeJoinStore()}
    return ApiCallMonitor(joins, refused=RefusedTaskRecorder(store, announcer)), store, publisher, joins


def test_the_amounts_are_read_as_braket_wrote_them() -> None:
    message = refused_create_task_call()["detail"]["errorMessage"]
    assert refusal_amounts(message) == {
        "spendingLimitUsd": "3",
        "currentSpendUsd": "0",
        "estimatedCostUsd": "9.3000000000",
    }
    assert refusal_amounts("Attempted to spend over the spending limit. Spending limit: 12.50") == {
        "spendingLimitUsd": "12.50"
    }  # what the message lacks is left out, never guessed


@pytest.mark.parametrize(
    ("call", "refused"),
    [
        (refused_create_task_call(), True),
        (failed_create_task_call(), False),  # another ValidationException
        (failed_create_task_call(error_code="AccessDeniedException"), False),
    ],
)
def test_only_a_spending_limit_refusal_is_one(call, refused) -> None:
    assert is_spending_limit_refusal(parse_api_call(call)) is refused


def test_a_refused_task_from_the_queue_is_recorded_and_announced_naming_who_tried() -> None:
    monitor, store, publisher, joins = _monitor()
    result = monitor.process(refused_create_task_call(identity=iam_user("tomasz")), FROM_QUEUE)
    ((record, claim),) = store.saved
    assert claim is True and result.notified and result.kind == "refused_task"
    assert record["deviceArn"] == FORTE and record["shots"] == 250
    assert record["refusal"]["estimatedCostUsd"] == "9.3000000000" and "basis" in record["refusal"]
    assert record["attemptedBy"]["principal"] == "arn:aws:iam::123456789012:user/tomasz"
    (notification,) = publisher.sent
    assert notification.subject == "Braket task refused by a spending limit on ionq/Forte-1: estimate $9.3000000000"
    assert "Who tried       arn:aws:iam::123456789012:user/tomasz" in notification.email_text
    assert "Current spend   $0 USD" in notification.email_text
    body = json.loads(notification.json_body)
    assert body["kind"] == "refused_task" and "OPENQASM" not in notification.json_body
    assert joins["task"].joined == [] and joins["task"].kept == []


@pytest.mark.parametrize("arrival", [Arrival.direct(), Arrival.replay("arn:aws:sts::123456789012:assumed-role/Op/x")])
def test_a_refused_task_not_vouched_for_is_recorded_marked_names_nobody_and_is_not_announced(arrival) -> None:
    monitor, store, publisher, _ = _monitor()
    result = monitor.process(refused_create_task_call(), arrival)
    ((record, claim),) = store.saved
    assert claim is False and not result.notified and publisher.sent == []
    assert "attemptedBy" not in record and record["arrival"] == arrival.field()


def test_another_refused_call_stays_counted_and_unwritten() -> None:
    monitor, store, publisher, _ = _monitor()
    result = monitor.process(failed_create_task_call(), FROM_QUEUE)
    assert result.outcome is SaveOutcome.NOT_RECORDED and store.saved == [] and publisher.sent == []


def test_a_duplicate_already_announced_is_not_announced_again() -> None:
    monitor, _, publisher, _ = _monitor(store=FakeStore(SaveOutcome.DUPLICATE))
    monitor.process(refused_create_task_call(), FROM_QUEUE)
    assert publisher.sent == []


@pytest.mark.parametrize("details", [False, True])
def test_who_tried_is_kept_whole_but_announced_by_principal_unless_configured(details: bool) -> None:
    store, publisher = FakeStore(SaveOutcome.RECORDED_LATE), FakePublisher()
    announcer = Announcer(publisher, claim_timeout_seconds=90, now=lambda: 1_000_000.0)
    recorder = RefusedTaskRecorder(store, announcer, notify_caller_details=details)
    monitor = ApiCallMonitor({"task": FakeJoinStore(), "job": FakeJoinStore()}, refused=recorder)
    monitor.process(refused_create_task_call(identity=iam_user("tomasz")), FROM_QUEUE)
    ((record, _),) = store.saved
    source_ip = record["attemptedBy"]["sourceIPAddress"]  # the item keeps it (expiring with callers' details)
    assert carries_caller_details(record)
    (notification,) = publisher.sent
    assert (source_ip in notification.email_text) is details
    assert (source_ip in notification.json_body) is details
