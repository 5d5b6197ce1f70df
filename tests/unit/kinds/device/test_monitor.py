"""The device pipeline's decisions, with in-memory stand-ins for the audit table, the task count and SNS."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor.domain.announce import Announcer
from task_monitor.domain.kinds.device.monitor import DeviceMonitor
from task_monitor.domain.ports import SaveOutcome
from task_monitor.errors import InvalidEventError
from task_monitor_devkit.builders.device import QPU_STATUS, device_event
from task_monitor_devkit.builders.task import FORTE
from tests.support.fakes import FROM_QUEUE, FakeDeviceStore, FakePublisher, FakeWaitingTasks

EARLIER = "2026-11-21T05:00:00.000Z"
LATER = "2026-11-21T07:00:00.000Z"
EVENT_TIME = "2026-11-21T06:00:04.000Z"  # device_event's default


def _monitor(store=None, waiting=None, publisher=None):
    store, waiting, publisher = store or FakeDeviceStore(), waiting or FakeWaitingTasks(), publisher or FakePublisher()
    clock = lambda: 1_000_000.0  # noqa: E731
    monitor = DeviceMonitor(store, waiting, Announcer(publisher, claim_timeout_seconds=90, now=clock))
    return monitor, store, waiting, publisher


def _latest(status: str, event_time: str = EARLIER, event_id: str = "earlier-event") -> dict[str, Any]:
    return {"eventId": event_id, "eventTime": event_time, "status": status, "deviceArn": FORTE, "itemType": "LATEST"}


@pytest.mark.parametrize(
    ("stored", "status"),
    [(None, "OFFLINE"), (_latest("ONLINE"), "OFFLINE"), (_latest("OFFLINE"), "ONLINE"), (_latest("ONLINE"), "RETIRED")],
)
def test_a_change_of_availability_with_tasks_waiting_is_announced_once(stored, status) -> None:
    monitor, store, waiting, publisher = _monitor(store=FakeDeviceStore(stored))
    result = monitor.process(device_event(status), FROM_QUEUE)
    assert waiting.asked == [FORTE]
    ((saved, claim),) = store.saved
    assert claim is not None and saved["waitingTasks"] == 3
    (notification,) = publisher.sent
    assert notification.subject == f"Braket device {status}: ionq/Forte-1, 3 tasks waiting"
    assert result.notified and result.kind == "device" and store.notified == [result.record["eventId"]]
    assert result.summary()["deviceArn"] == FORTE


def test_nothing_waiting_is_recorded_with_the_count_and_not_announced() -> None:
    monitor, store, _, publisher = _monitor(waiting=FakeWaitingTasks(0))
    result = monitor.process(device_event("OFFLINE"), FROM_QUEUE)
    ((saved, claim),) = store.saved
    assert claim is None and saved["waitingTasks"] == 0
    assert publisher.sent == [] and not result.notified and result.outcome is SaveOutcome.RECORDED


@pytest.mark.parametrize("stored_time", [LATER, EVENT_TIME])
def test_an_event_not_newer_than_the_stored_state_is_history_only_and_counts_nothing(stored_time) -> None:
    monitor, store, waiting, publisher = _monitor(store=FakeDeviceStore(_latest("ONLINE", stored_time)))
    monitor.process(device_event("OFFLINE"), FROM_QUEUE)
    ((saved, claim),) = store.saved
    assert claim is None and "waitingTasks" not in saved
    assert waiting.asked == [] and publisher.sent == []


def test_the_status_already_stored_is_no_change_and_not_announced() -> None:
    monitor, store, waiting, publisher = _monitor(store=FakeDeviceStore(_latest("OFFLINE")))
    monitor.process(device_event("OFFLINE"), FROM_QUEUE)
    assert store.saved[0][1] is None and waiting.asked == [] and publisher.sent == []


def test_an_unknown_status_is_audited_without_reading_or_counting_anything() -> None:
    monitor, store, waiting, publisher = _monitor()
    result = monitor.process(device_event("MAINTENANCE"), FROM_QUEUE)
    assert store.latest_asked == [] and waiting.asked == [] and publisher.sent == []
    assert store.saved[0][0]["status"] == "MAINTENANCE" and store.saved[0][1] is None
    assert not result.notified


def test_a_duplicate_already_handled_publishes_nothing() -> None:
    # The redelivered event is the one that set the latest state: its claim decides, and it says done
    stored = _latest("OFFLINE", EVENT_TIME, event_id=device_event("OFFLINE")["id"])
    monitor, store, _, publisher = _monitor(store=FakeDeviceStore(stored, SaveOutcome.DUPLICATE))
    result = monitor.process(device_event("OFFLINE"), FROM_QUEUE)
    assert store.saved[0][1] is not None  # asked for the notification; the store said it went out
    assert publisher.sent == [] and store.notified == [] and not result.notified


def test_a_redelivery_whose_notification_never_went_out_is_announced_now() -> None:
    # The first delivery set the latest state, then its publish failed: the same status is stored,
    # but it is this event's own, so it is not "no change"
    stored = _latest("OFFLINE", EVENT_TIME, event_id=device_event("OFFLINE")["id"])
    monitor, store, _, publisher = _monitor(store=FakeDeviceStore(stored, SaveOutcome.DUPLICATE_UNANNOUNCED))
    result = monitor.process(device_event("OFFLINE"), FROM_QUEUE)
    assert len(publisher.sent) == 1 and result.notified and len(store.notified) == 1


def test_a_newer_event_that_won_the_race_makes_this_one_old_news() -> None:
    monitor, store, _, publisher = _monitor(store=FakeDeviceStore(_latest("ONLINE"), SaveOutcome.RECORDED_LATE))
    result = monitor.process(device_event("OFFLINE"), FROM_QUEUE)
    ((_, claim),) = store.saved
    assert publisher.sent == [] and store.released == [claim] and not result.notified


def test_a_failed_publish_fails_the_event_and_gives_the_claim_back() -> None:
    monitor, store, _, _ = _monitor(publisher=FakePublisher(fail=True))
    with pytest.raises(ConnectionError):
        monitor.process(device_event("OFFLINE"), FROM_QUEUE)
    assert len(store.released) == 1 and store.notified == []


def test_qpu_status_change_is_processed_the_same_way() -> None:
    monitor, _, _, publisher = _monitor()
    result = monitor.process(device_event("OFFLINE", detail_type=QPU_STATUS, status_field="deviceStatus"), FROM_QUEUE)
    assert result.record["detailType"] == QPU_STATUS and len(publisher.sent) == 1


@pytest.mark.parametrize(
    "event",
    [
        device_event("off line"),
        device_event("OFFLINE", deviceArn="arn:aws:braket:us-east-1::job/x"),
        {**device_event(), "detail-type": "Braket Job State Change"},
        "not an event",
    ],
)
def test_an_invalid_event_reads_writes_and_sends_nothing(event) -> None:
    monitor, store, waiting, publisher = _monitor()
    with pytest.raises(InvalidEventError):
        monitor.process(event, FROM_QUEUE)
    assert (store.latest_asked, store.saved, waiting.asked, publisher.sent) == ([], [], [], [])
