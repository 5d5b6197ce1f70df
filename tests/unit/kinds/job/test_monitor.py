"""The job pipeline's decisions, with in-memory stand-ins for GetJob, the audit table, the job index and SNS."""

from __future__ import annotations

from decimal import Decimal

import pytest

from task_monitor.domain.announce import Announcer
from task_monitor.domain.callers import Caller
from task_monitor.domain.kinds.job.monitor import JobMonitor
from task_monitor.domain.ports import HistoryFacts, SaveOutcome
from task_monitor.errors import EnrichmentError, InvalidEventError
from task_monitor_devkit.builders.job import JOB_ARN, job_event
from tests.support.fakes import FROM_QUEUE, FakeGetJob, FakeJobTasks, FakePublisher, FakeStore

CREATOR: Caller = {"principal": "arn:aws:iam::123456789012:role/Researcher"}


class JobStore(FakeStore):
    def history_facts(self, arn: str) -> HistoryFacts:
        self.running_asked += 1
        return HistoryFacts(created_by=CREATOR)


def _monitor(*, braket=None, store=None, tasks=None, publisher=None, statuses=("COMPLETED", "FAILED", "CANCELLED")):
    braket, store = braket or FakeGetJob(), store or JobStore()
    tasks, publisher = tasks or FakeJobTasks([{"status": "COMPLETED", "shots": 100}]), publisher or FakePublisher()
    monitor = JobMonitor(
        braket,
        store,
        tasks,
        Announcer(publisher, claim_timeout_seconds=90, now=lambda: 1_000_000.0),
        notify_statuses=frozenset(statuses),
        clock=lambda: "2026-11-23T16:02:12.000Z",
    )
    return monitor, braket, store, tasks, publisher


@pytest.mark.parametrize("status", ["COMPLETED", "FAILED", "CANCELLED"])
def test_an_ending_job_is_enriched_rolled_up_recorded_and_announced_once(status: str) -> None:
    monitor, braket, store, tasks, publisher = _monitor()
    result = monitor.process(job_event(status), FROM_QUEUE)
    assert braket.asked == [(JOB_ARN, status)]
    assert tasks.asked == [JOB_ARN] and store.running_asked == 1
    ((saved, claimed),) = store.saved
    assert claimed and saved["taskSummary"]["count"] == 1 and saved["createdBy"] == CREATOR
    (sent,) = publisher.sent
    assert sent.subject == f"Braket job {status}: vqe-h2-run-7, 1 task"
    assert result.kind == "job" and result.arn == JOB_ARN and result.notified and result.message_id == "message-1"
    assert store.notified == [saved["eventId"]]


@pytest.mark.parametrize("status", ["QUEUED", "RUNNING", "CANCELLING", "PAUSED"])
def test_a_job_that_has_not_ended_is_recorded_without_reads_or_notification(status: str) -> None:
    monitor, _, store, tasks, publisher = _monitor(statuses=("QUEUED", "RUNNING", "CANCELLING", "COMPLETED"))
    result = monitor.process(job_event(status), FROM_QUEUE)
    ((saved, claimed),) = store.saved
    assert not claimed and "taskSummary" not in saved and "createdBy" not in saved
    assert tasks.asked == [] and store.running_asked == 0 and publisher.sent == []
    assert not result.notified and result.record["status"] == status


def test_an_ending_status_left_out_of_notify_statuses_is_recorded_but_not_announced() -> None:
    monitor, _, store, _, publisher = _monitor(statuses=("FAILED",))
    monitor.process(job_event("COMPLETED"), FROM_QUEUE)
    ((saved, claimed),) = store.saved
    assert not claimed and publisher.sent == []
    assert saved["taskSummary"]["count"] == 1  # the roll-up is recorded all the same
    monitor.process(job_event("FAILED"), FROM_QUEUE)
    assert len(publisher.sent) == 1


def test_a_duplicate_already_announced_sends_nothing_and_one_left_unannounced_is_sent() -> None:
    monitor, _, _, _, publisher = _monitor(store=JobStore(SaveOutcome.DUPLICATE))
    assert monitor.process(job_event(), FROM_QUEUE).notified is False and publisher.sent == []
    monitor, _, _, _, publisher = _monitor(store=JobStore(SaveOutcome.DUPLICATE_UNANNOUNCED))
    assert monitor.process(job_event(), FROM_QUEUE).notified is True and len(publisher.sent) == 1


def test_a_getjob_failure_keeps_the_record_marked_and_still_announces_it() -> None:
    braket = FakeGetJob(error=EnrichmentError("AccessDeniedException", "no braket:GetJob"))
    monitor, _, store, _, publisher = _monitor(braket=braket)
    result = monitor.process(job_event("FAILED"), FROM_QUEUE)
    assert result.enrichment_error == "AccessDeniedException"
    assert store.saved[0][0]["enrichmentError"]["code"] == "AccessDeniedException"
    assert "enrichedAt" not in store.saved[0][0]
    assert "details from GetJob are missing" in publisher.sent[0].email_text


def test_a_failed_publish_gives_the_claim_back_and_fails_the_event() -> None:
    monitor, _, store, _, _ = _monitor(publisher=FakePublisher(fail=True))
    with pytest.raises(ConnectionError):
        monitor.process(job_event(), FROM_QUEUE)
    assert len(store.released) == 1 and store.notified == []


def test_an_invalid_event_calls_and_writes_nothing() -> None:
    monitor, braket, store, tasks, publisher = _monitor()
    with pytest.raises(InvalidEventError):
        monitor.process(job_event(status="done!"), FROM_QUEUE)
    assert braket.asked == [] and store.saved == [] and tasks.asked == [] and publisher.sent == []


class DetailedCreatorStore(FakeStore):
    def history_facts(self, arn: str) -> HistoryFacts:
        return HistoryFacts(created_by={**CREATOR, "sessionName": "alice", "sourceIPAddress": "198.51.100.23"})


@pytest.mark.parametrize("details", [False, True])
def test_callers_details_reach_the_job_email_only_when_configured_and_never_the_record(details: bool) -> None:
    store, publisher = DetailedCreatorStore(), FakePublisher()
    monitor = JobMonitor(
        FakeGetJob(),
        store,
        FakeJobTasks([]),
        Announcer(publisher, claim_timeout_seconds=90, now=lambda: 1_000_000.0),
        notify_statuses=frozenset({"COMPLETED"}),
        clock=lambda: "2026-11-23T16:02:12.000Z",
        notify_caller_details=details,
    )
    result = monitor.process(job_event("COMPLETED"), FROM_QUEUE)
    assert result.record["createdBy"] == CREATOR  # stored: the principal, either way
    (sent,) = publisher.sent
    assert ("(session alice) from 198.51.100.23" in sent.email_text) is details
    assert ("198.51.100.23" in sent.json_body) is details


def test_an_ending_job_carries_its_estimated_cost_and_a_running_one_none() -> None:
    from task_monitor.domain.cost.price_table import parse_entries
    from task_monitor.domain.cost.source import ShippedPrices

    instance_price = parse_entries(
        [
            {
                "family": "jobInstance",
                "instanceType": "ml.m5.large",
                "region": "*",
                "perMinuteUsd": "0.002",
                "source": "test",
                "confidence": "I",
            }
        ],
        "prices",
    )
    tasks = FakeJobTasks(
        [
            {
                "status": "COMPLETED",
                "estimatedCost": {
                    "amountUsd": "8.30",
                    "maxAmountUsd": "8.30",
                    "shots": 100,
                    "shotsBasis": "successful",
                },
            }
        ]
    )
    publisher = FakePublisher()
    monitor = JobMonitor(
        FakeGetJob(),
        JobStore(),
        tasks,
        Announcer(publisher, claim_timeout_seconds=90, now=lambda: 1.0),
        notify_statuses=frozenset({"COMPLETED"}),
        clock=lambda: "2026-11-23T16:02:12.000Z",
        prices=ShippedPrices(instance_price),
    )
    ended = monitor.process(job_event("COMPLETED"), FROM_QUEUE).record
    cost = ended["estimatedCost"]
    assert cost["parts"]["tasksUsd"] == "8.30" and "instancesUsd" in cost["parts"]
    assert Decimal(cost["amountUsd"]) == Decimal("8.30") + Decimal(cost["parts"]["instancesUsd"])
    assert "ml.m5.large" in cost["basis"]
    assert "estimatedCost" not in monitor.process(job_event("RUNNING"), FROM_QUEUE).record
    assert "estimatedCost" not in _monitor()[0].process(job_event("COMPLETED"), FROM_QUEUE).record  # no prices given
