"""The pipeline's decisions, with in-memory stand-ins for Braket, the audit table and SNS."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor.domain.announce import Announcer
from task_monitor.domain.kinds.task.monitor import TaskMonitor
from task_monitor.domain.ports import SaveOutcome
from task_monitor.errors import ClaimExpiredError, EnrichmentError, InvalidEventError
from task_monitor_devkit.builders.task import task_event
from tests.support.fakes import FROM_QUEUE, FakeBraket, FakePublisher, FakeStore


def _monitor(braket=None, store=None, publisher=None, statuses=("COMPLETED", "FAILED", "CANCELLED"), now=None):
    braket, store, publisher = braket or FakeBraket(), store or FakeStore(), publisher or FakePublisher()
    clock = now or (lambda: 1_000_000.0)
    monitor = TaskMonitor(
        braket,
        store,
        Announcer(publisher, claim_timeout_seconds=90, now=clock),
        frozenset(statuses),
        clock=lambda: "2026-11-20T12:00:00.000Z",
    )
    return monitor, braket, store, publisher


def test_completed_event_is_enriched_recorded_and_announced_once() -> None:
    monitor, braket, store, publisher = _monitor()
    result = monitor.process(task_event("COMPLETED"), FROM_QUEUE)
    assert braket.asked == [task_event()["detail"]["quantumTaskArn"]]
    assert store.saved[0][1] is True  # saved as "notification pending"
    assert len(publisher.sent) == 1 and store.notified == [result.record["eventId"]]
    assert result.notified and result.message_id == "message-1"
    assert result.record["timings"]["runningSeconds"] == 142.871


def test_status_not_chosen_is_recorded_without_notification_or_history_read() -> None:
    monitor, _, store, publisher = _monitor()
    result = monitor.process(task_event("QUEUED"), FROM_QUEUE)
    assert store.saved[0][1] is False and publisher.sent == [] and not result.notified
    assert store.running_asked == 0  # only finished tasks need the RUNNING time


def test_chosen_statuses_are_configurable() -> None:
    monitor, _, _, publisher = _monitor(statuses=("RUNNING",))
    monitor.process(task_event("RUNNING"), FROM_QUEUE)
    monitor.process(task_event("COMPLETED"), FROM_QUEUE)
    assert [n.attributes["status"]["StringValue"] for n in publisher.sent] == ["RUNNING"]


def test_duplicate_already_announced_publishes_nothing() -> None:
    monitor, _, store, publisher = _monitor(store=FakeStore(SaveOutcome.DUPLICATE))
    result = monitor.process(task_event("COMPLETED"), FROM_QUEUE)
    assert publisher.sent == [] and store.notified == [] and not result.notified


def test_duplicate_whose_notification_never_went_out_is_announced_now() -> None:
    monitor, _, store, publisher = _monitor(store=FakeStore(SaveOutcome.DUPLICATE_UNANNOUNCED))
    monitor.process(task_event("COMPLETED"), FROM_QUEUE)
    assert len(publisher.sent) == 1 and len(store.notified) == 1


def test_failed_publish_fails_the_event_and_leaves_it_unannounced() -> None:
    monitor, _, store, _ = _monitor(publisher=FakePublisher(fail=True))
    with pytest.raises(ConnectionError):
        monitor.process(task_event("COMPLETED"), FROM_QUEUE)
    assert len(store.saved) == 1 and store.notified == []
    assert len(store.released) == 1  # the redelivery may publish at once


def test_enrichment_failure_is_recorded_and_still_announced() -> None:
    braket = FakeBraket(error=EnrichmentError("AccessDeniedException", "denied"))
    monitor, _, store, publisher = _monitor(braket=braket)
    result = monitor.process(task_event("FAILED"), FROM_QUEUE)
    assert store.saved[0][0]["enrichmentError"]["code"] == "AccessDeniedException"
    assert result.enrichment_error == "AccessDeniedException" and len(publisher.sent) == 1


def test_invalid_event_calls_nothing_and_writes_nothing() -> None:
    monitor, braket, store, publisher = _monitor()
    with pytest.raises(InvalidEventError):
        monitor.process(task_event(shots="many"), FROM_QUEUE)
    assert (braket.asked, store.saved, publisher.sent) == ([], [], [])


def test_queue_wait_is_reported_once_per_task_at_its_running_event() -> None:
    monitor, *_ = _monitor()
    assert monitor.process(task_event("RUNNING"), FROM_QUEUE).queued_seconds == 9675.88
    assert monitor.process(task_event("COMPLETED"), FROM_QUEUE).queued_seconds is None
    duplicate_monitor, *_ = _monitor(store=FakeStore(SaveOutcome.DUPLICATE))
    assert duplicate_monitor.process(task_event("RUNNING"), FROM_QUEUE).queued_seconds is None


class UnmarkableStore(FakeStore):
    def mark_notified(self, record: dict[str, Any]) -> None:
        raise RuntimeError("TransactionConflictException, after every retry")


def test_a_sent_notification_that_cannot_be_marked_does_not_fail_the_event() -> None:
    monitor, _, store, publisher = _monitor(store=UnmarkableStore())
    result = monitor.process(task_event("COMPLETED"), FROM_QUEUE)
    # SNS accepted it: failing now would only make a redelivery publish it again
    assert result.notified and len(publisher.sent) == 1 and store.released == []
    assert result.unmarked_notification == "RuntimeError"
    assert result.summary()["notificationUnmarked"] is True


class StallingStore(FakeStore):
    """The save returns ``stall`` seconds after it was called (a frozen or starved process)."""

    def __init__(self, clock: list[float], stall: float, outcome: SaveOutcome = SaveOutcome.RECORDED) -> None:
        super().__init__(outcome)
        self.clock, self.stall = clock, stall

    def save(self, record: dict[str, Any], *, claim: str | None) -> SaveOutcome:
        self.clock[0] += self.stall
        return super().save(record, claim=claim)


@pytest.mark.parametrize("outcome", [SaveOutcome.RECORDED, SaveOutcome.DUPLICATE_UNANNOUNCED])
def test_a_claim_too_old_to_outlast_a_publish_is_given_up_unpublished(outcome) -> None:
    # Given the claim is taken, then the run stalls past claim lifetime - longest publish (90 - 1 - 39 s)
    clock = [1_000_000.0]
    store = StallingStore(clock, stall=51, outcome=outcome)
    monitor, _, _, publisher = _monitor(store=store, now=lambda: clock[0])
    # When it comes to publish, Then it does not: another attempt may take the claim mid-publish
    with pytest.raises(ClaimExpiredError):
        monitor.process(task_event("COMPLETED"), FROM_QUEUE)
    assert publisher.sent == [] and store.notified == []
    assert len(store.released) == 1  # given back, so the redelivery publishes without waiting


def test_a_claim_with_time_for_the_longest_publish_is_used() -> None:
    clock = [1_000_000.0]
    monitor, _, store, publisher = _monitor(store=StallingStore(clock, stall=49), now=lambda: clock[0])
    assert monitor.process(task_event("COMPLETED"), FROM_QUEUE).notified
    assert len(publisher.sent) == 1 and store.released == []


def test_every_record_carries_its_estimated_cost_from_the_price_source() -> None:
    """The shipped table by default; a price source given (the ``Prices`` port) replaces it."""
    from task_monitor.domain.cost.price_table import PriceTable, parse_entries
    from task_monitor.domain.cost.source import ShippedPrices
    from task_monitor_devkit.builders.task import description

    monitor, _, store, _ = _monitor(braket=FakeBraket(description("COMPLETED", numSuccessfulShots=900)))
    completed = monitor.process(task_event("COMPLETED"), FROM_QUEUE).record
    assert completed["estimatedCost"]["amountUsd"] == "72.30"  # 0.30 + 0.08 x 900 successful
    assert completed["estimatedCost"]["maxAmountUsd"] == "80.30"  # 1,000 requested
    assert store.saved[-1][0]["estimatedCost"] == completed["estimatedCost"]  # what is stored

    queued = _monitor(braket=FakeBraket(description("QUEUED")))[0].process(task_event("QUEUED"), FROM_QUEUE).record
    assert queued["estimatedCost"]["shotsBasis"] == "requested" and queued["estimatedCost"]["amountUsd"] == "80.30"

    cheaper = parse_entries(
        [
            {
                "family": "qpuTask",
                "device": "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
                "region": "us-east-1",
                "perTaskUsd": "0.30",
                "perShotUsd": "0.01",
                "source": "negotiated",
                "confidence": "I",
            }
        ],
        "prices",
    )
    braket, store, publisher = (
        FakeBraket(description("COMPLETED", numSuccessfulShots=900)),
        FakeStore(),
        FakePublisher(),
    )
    overridden = (
        TaskMonitor(
            braket,
            store,
            Announcer(publisher, claim_timeout_seconds=90, now=lambda: 1.0),
            frozenset(),
            clock=lambda: "2026-11-20T12:00:00.000Z",
            prices=ShippedPrices(cheaper),
        )
        .process(task_event("COMPLETED"), FROM_QUEUE)
        .record
    )
    assert overridden["estimatedCost"]["amountUsd"] == "9.30"
    assert isinstance(PriceTable.shipped(), PriceTable)


class _Durations:
    def __init__(self, answer: tuple[int | None, str | None]) -> None:
        self.answer, self.asked = answer, []

    def execution_ms(self, bucket: str, directory: str) -> tuple[int | None, str | None]:
        self.asked.append((bucket, directory))
        return self.answer


def _simulator_monitor(durations: _Durations) -> TaskMonitor:
    from task_monitor_devkit.builders.task import SV1, description

    return TaskMonitor(
        FakeBraket(description("COMPLETED", device=SV1)),
        FakeStore(),
        Announcer(FakePublisher(), claim_timeout_seconds=90, now=lambda: 1.0),
        frozenset(),
        clock=lambda: "2026-11-20T12:00:00.000Z",
        simulator_durations=durations,
    )


def test_with_the_option_a_completed_simulator_is_priced_on_its_exact_execution_time() -> None:
    from task_monitor_devkit.builders.task import SV1

    durations = _Durations((6000, None))
    record = _simulator_monitor(durations).process(task_event("COMPLETED", device=SV1), FROM_QUEUE).record
    assert durations.asked == [(record["outputS3Bucket"], record["outputS3Directory"])]
    assert record["simulatorExecution"] == {"durationMs": 6000}
    cost = record["estimatedCost"]
    assert (cost["amountUsd"], cost["approximate"]) == ("0.0075", False)  # 0.075 x 6 s / 60
    assert "executionDuration of the result object" in cost["basis"]


def test_an_unreadable_result_falls_back_to_the_running_time_and_says_why() -> None:
    from task_monitor_devkit.builders.task import SV1

    durations = _Durations((None, "s3://b/tasks/x/results.json: AccessDenied"))
    record = _simulator_monitor(durations).process(task_event("COMPLETED", device=SV1), FROM_QUEUE).record
    cost = record["estimatedCost"]
    assert cost["approximate"] is True and "running time" in cost["basis"]
    assert "executionDuration unread: s3://b/tasks/x/results.json: AccessDenied" in cost["basis"]


def test_only_completed_simulator_tasks_read_their_result() -> None:
    from task_monitor_devkit.builders.task import SV1

    durations = _Durations((6000, None))
    monitor = _simulator_monitor(durations)
    monitor.process(task_event("RUNNING", device=SV1), FROM_QUEUE)
    monitor.process(task_event("FAILED", device=SV1), FROM_QUEUE)
    monitor.process(task_event("COMPLETED"), FROM_QUEUE)  # a QPU task
    assert durations.asked == []
