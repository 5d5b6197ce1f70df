"""How an event arrived, threaded from the dispatcher to every kind's record, and what it lets a call join."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival, stored_arrival_joins_callers
from task_monitor.domain.dispatch import EventDispatcher
from task_monitor.domain.kinds.api_call.monitor import ApiCallMonitor
from task_monitor.domain.kinds.device.monitor import DeviceMonitor
from task_monitor.domain.kinds.job.monitor import JobMonitor
from task_monitor.domain.kinds.spending_limit.monitor import SpendingLimitMonitor
from task_monitor.domain.kinds.task.monitor import TaskMonitor
from task_monitor.domain.outcomes import SaveOutcome
from task_monitor.domain.registry import KINDS
from task_monitor_devkit.builders.api_call import cancel_job_call, create_task_call
from task_monitor_devkit.builders.device import device_event
from task_monitor_devkit.builders.job import JOB_ARN, job_event
from task_monitor_devkit.builders.spending_limit import spend_event
from task_monitor_devkit.builders.task import TASK_ARN, task_event
from tests.support.fakes import (
    EVENTS_QUEUE_ARN,
    FakeBraket,
    FakeDeviceStore,
    FakeGetJob,
    FakeJobTasks,
    FakeJoinStore,
    FakeMarks,
    FakePublisher,
    FakeSpendStore,
    FakeStore,
    FakeWaitingTasks,
)

OPERATOR = "arn:aws:sts::123456789012:assumed-role/Operator/dana"
ARRIVALS = {
    "queue": Arrival.from_queue("m-1", EVENTS_QUEUE_ARN, EVENTS_QUEUE_ARN),
    "otherQueue": Arrival.from_queue("m-2", "arn:aws:sqs:us-east-1:123456789012:other", EVENTS_QUEUE_ARN),
    "direct": Arrival.direct(),
    "replay": Arrival.replay(OPERATOR),
    "replay of a dead letter": Arrival.replay(OPERATOR, dead_letter_message_id="dlq-7"),
}


class _Stores:
    """One fake store per kind, each keeping what was written to it."""

    def __init__(self) -> None:
        self.task, self.job, self.device = FakeStore(), FakeStore(), FakeDeviceStore()
        self.calls = {"task": FakeJoinStore(), "job": FakeJoinStore()}
        self.spend = FakeSpendStore()

    def dispatcher(self) -> EventDispatcher:
        announcer = Announcer(FakePublisher(), claim_timeout_seconds=90, now=lambda: 1_000_000.0)
        statuses = frozenset({"COMPLETED"})
        monitors = {
            "task": TaskMonitor(FakeBraket(), self.task, announcer, statuses, clock=lambda: "2026-11-20T12:00:00Z"),
            "job": JobMonitor(
                FakeGetJob(),
                self.job,
                FakeJobTasks(),
                announcer,
                notify_statuses=statuses,
                clock=lambda: "2026-11-20T12:00:00Z",
            ),
            "device": DeviceMonitor(self.device, FakeWaitingTasks(0), announcer),
            "api_call": ApiCallMonitor(self.calls),
            "spending_limit": SpendingLimitMonitor(self.spend, FakeMarks(), announcer),
        }
        return EventDispatcher(
            {detail_type: monitors[kind.name].process for kind in KINDS for detail_type in kind.detail_types}
        )


@pytest.mark.parametrize("name", ARRIVALS)
def test_every_kind_records_the_arrival_it_was_dispatched_with(name: str) -> None:
    arrival = ARRIVALS[name]
    stores = _Stores()
    dispatcher = stores.dispatcher()
    results = [
        dispatcher.process(event, arrival)
        for event in (
            task_event("COMPLETED"),
            job_event("RUNNING"),
            device_event("OFFLINE"),
            create_task_call(TASK_ARN),
            spend_event("1.00"),
        )
    ]
    written: list[dict[str, Any]] = [
        stores.task.saved[0][0],
        stores.job.saved[0][0],
        stores.device.saved[0][0],
        (stores.calls["task"].joined[0][0] if arrival.joins_callers else stores.calls["task"].kept[0]),
        stores.spend.saved[0][0],
    ]
    assert [record["arrival"] for record in written] == [arrival.field()] * 5
    assert [result.record["arrival"] for result in results] == [arrival.field()] * 5
    assert {result.kind for result in results} == {"task", "job", "device", "spending_limit"}


def test_arrival_fields_are_small_and_say_only_how_the_event_came() -> None:
    assert {name: arrival.field() for name, arrival in ARRIVALS.items()} == {
        "queue": {"via": "queue", "messageId": "m-1"},
        "otherQueue": {"via": "otherQueue", "messageId": "m-2", "queue": "arn:aws:sqs:us-east-1:123456789012:other"},
        "direct": {"via": "direct"},
        "replay": {"via": "replay", "operator": OPERATOR},
        "replay of a dead letter": {"via": "replay", "messageId": "dlq-7", "operator": OPERATOR},
    }


@pytest.mark.parametrize(
    ("name", "joins"),
    [("queue", True), ("otherQueue", False), ("direct", False), ("replay", False), ("replay of a dead letter", True)],
)
def test_only_the_events_queue_or_a_replayed_dead_letter_names_a_caller(name: str, joins: bool) -> None:
    stores = _Stores()
    monitor = ApiCallMonitor(stores.calls)
    task_result = monitor.process(create_task_call(TASK_ARN), ARRIVALS[name])
    job_result = monitor.process(cancel_job_call(JOB_ARN), ARRIVALS[name])
    tasks, jobs = stores.calls["task"], stores.calls["job"]
    if joins:
        assert [role for _, role in tasks.joined + jobs.joined] == ["createdBy", "cancelledBy"]
        assert tasks.kept == jobs.kept == []
        assert task_result.outcome is job_result.outcome is SaveOutcome.RECORDED
    else:
        assert tasks.joined == jobs.joined == []
        # kept in the target's history, with the caller it claims and how it came
        assert [record["eventName"] for record in tasks.kept + jobs.kept] == ["CreateQuantumTask", "CancelJob"]
        assert tasks.kept[0]["arrival"] == ARRIVALS[name].field() and "createdBy" in tasks.kept[0]
        assert task_result.outcome is job_result.outcome is SaveOutcome.KEPT_UNJOINED
    assert stored_arrival_joins_callers(tasks.kept[0] if tasks.kept else tasks.joined[0][0]) is joins


def test_a_stored_call_without_an_arrival_predates_arrivals_and_counts() -> None:
    assert stored_arrival_joins_callers({"eventName": "CreateQuantumTask"}) is True


def test_an_arrival_is_one_of_four_ways_and_a_replay_names_its_operator() -> None:
    with pytest.raises(ValueError, match="one of queue, otherQueue, direct, replay"):
        Arrival("carrier-pigeon")
    with pytest.raises(ValueError, match="must name its operator"):
        Arrival("replay")
