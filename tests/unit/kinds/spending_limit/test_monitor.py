"""The spend pipeline's decisions, with in-memory stand-ins for the timeline, the marks and SNS.

The stand-in marks follow ``DynamoThresholdMarks``' rule (raise only if lower; name the event the
announcer of each threshold up to it that has none), so the decisions here are the monitor's. The
same guarantee against DynamoDB, under faults, is ``tests/e2e/test_fault_injection_spend.py``.
"""

from __future__ import annotations

import pytest

from task_monitor.domain.announce import Announcer
from task_monitor.domain.kinds.spending_limit.monitor import SpendingLimitMonitor
from task_monitor.domain.ports import SaveOutcome
from task_monitor.errors import InvalidEventError
from task_monitor_devkit.builders.spending_limit import DECEMBER, spend_event
from tests.support.fakes import FROM_QUEUE, FakeMarks, FakePublisher, FakeSpendStore


def _monitor(store=None, marks=None, publisher=None, thresholds=(50, 80, 100)):
    store, marks, publisher = store or FakeSpendStore(), marks or FakeMarks(), publisher or FakePublisher()
    clock = lambda: 1_000_000.0  # noqa: E731
    announcer = Announcer(publisher, claim_timeout_seconds=90, now=clock)
    return SpendingLimitMonitor(store, marks, announcer, thresholds=thresholds, now=clock), store, marks, publisher


def test_a_spend_under_every_threshold_is_recorded_without_a_claim() -> None:
    monitor, store, _, publisher = _monitor()
    result = monitor.process(spend_event("4.00"), FROM_QUEUE)
    ((_, claim),) = store.saved
    assert claim is None and publisher.sent == [] and not result.notified and result.kind == "spending_limit"


def test_the_first_crossing_is_announced_once_naming_the_thresholds_it_passed() -> None:
    monitor, store, _, publisher = _monitor()
    result = monitor.process(spend_event("8.50"), FROM_QUEUE)
    (notification,) = publisher.sent
    assert "crossed 80 % (and 50 %)" in notification.subject
    assert result.notified and store.notified == [result.record["eventId"]]
    assert result.summary()["spendingLimitArn"] == result.record["spendingLimitArn"]


def test_a_late_lower_event_after_a_higher_crossing_announces_nothing_and_drops_its_claim() -> None:
    monitor, store, _, publisher = _monitor()
    monitor.process(spend_event("8.50", time="2026-11-21T07:00:00Z"), FROM_QUEUE)
    late = monitor.process(spend_event("5.50", time="2026-11-21T06:00:00Z"), FROM_QUEUE)
    assert len(publisher.sent) == 1 and not late.notified and store.dropped == [late.record["eventId"]]


def test_each_threshold_is_announced_once_as_spend_grows() -> None:
    monitor, _, _, publisher = _monitor()
    for minute, total in enumerate(("5.00", "6.00", "8.00", "9.00", "10.00", "10.00")):
        monitor.process(spend_event(total, time=f"2026-11-21T06:{minute:02d}:00Z"), FROM_QUEUE)
    assert [n.subject.split(":")[0] for n in publisher.sent] == [
        "Braket spending limit crossed 50 %",
        "Braket spending limit crossed 80 %",
        "Braket spending limit crossed 100 %",
    ]


def test_a_new_period_announces_its_thresholds_afresh() -> None:
    monitor, _, _, publisher = _monitor()
    monitor.process(spend_event("9.00"), FROM_QUEUE)
    monitor.process(spend_event("9.00", period=DECEMBER), FROM_QUEUE)
    assert len(publisher.sent) == 2


def test_a_duplicate_already_handled_asks_nothing_more() -> None:
    monitor, _, marks, publisher = _monitor(store=FakeSpendStore(SaveOutcome.DUPLICATE))
    monitor.process(spend_event("9.00"), FROM_QUEUE)
    assert marks.marks == {} and publisher.sent == []


def test_a_redelivery_whose_mark_is_already_its_own_publishes() -> None:
    """The mark was raised but the publish failed: the redelivery (its claim retaken) finds itself named."""
    marks = FakeMarks()
    first, store, _, _ = _monitor(marks=marks, publisher=FakePublisher(fail=True))
    event = spend_event("9.00")
    with pytest.raises(Exception):  # noqa: B017 - the publisher's injected failure
        first.process(event, FROM_QUEUE)
    assert store.released == [event["id"]]
    second, _, _, publisher = _monitor(store=FakeSpendStore(SaveOutcome.DUPLICATE_UNANNOUNCED), marks=marks)
    assert second.process(event, FROM_QUEUE).notified and len(publisher.sent) == 1


def test_a_failed_mark_gives_the_claim_back_for_the_redelivery() -> None:
    monitor, store, _, publisher = _monitor(marks=FakeMarks(fail=True))
    with pytest.raises(ConnectionError):
        monitor.process(spend_event("9.00"), FROM_QUEUE)
    assert store.released and publisher.sent == []


def test_configured_thresholds_are_used() -> None:
    monitor, _, _, publisher = _monitor(thresholds=(25, 90))
    monitor.process(spend_event("8.50"), FROM_QUEUE)
    (notification,) = publisher.sent
    assert "crossed 25 %" in notification.subject


def test_an_invalid_event_writes_nothing() -> None:
    monitor, store, _, _ = _monitor()
    with pytest.raises(InvalidEventError):
        monitor.process(spend_event(limit="ten"), FROM_QUEUE)
    assert store.saved == []
