"""In-memory stand-ins for the ports (``task_monitor.domain.ports``), shared by every kind's unit tests.

Each records what it was asked, so a test can assert on the calls as well as on the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from task_monitor.domain.arns import JobArn, TaskArn
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.notification_model import Notification
from task_monitor.domain.outcomes import HistoryFacts, Rejection, SaveOutcome
from task_monitor.errors import EnrichmentError
from task_monitor_devkit.builders.job import job_description
from task_monitor_devkit.builders.task import description

# The arrival the unit tests pass unless a test is about arrivals: an SQS message of the events queue.
EVENTS_QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:braket-task-monitor-events"
FROM_QUEUE = Arrival.from_queue("message-1", EVENTS_QUEUE_ARN, EVENTS_QUEUE_ARN)


class FakeBraket:
    def __init__(self, answer: dict | None = None, error: EnrichmentError | None = None) -> None:
        self.answer, self.error, self.asked = answer, error, []

    def describe(self, task: TaskArn, event_status: str | None = None) -> dict[str, Any]:
        self.asked.append(task.arn)
        if self.error:
            raise self.error
        return self.answer or description()


class FakeStore:
    def __init__(self, outcome: SaveOutcome = SaveOutcome.RECORDED) -> None:
        self.outcome, self.saved, self.notified, self.running_asked = outcome, [], [], 0
        self.released: list[str] = []

    def history_facts(self, arn: str) -> HistoryFacts:
        self.running_asked += 1
        return HistoryFacts(running_since="2026-11-20T11:41:17.000Z")

    def latest(self, arn: str) -> dict[str, Any] | None:
        return None

    def save(self, record: dict[str, Any], *, claim: str | None) -> SaveOutcome:
        self.saved.append((record, claim is not None))
        return self.outcome

    def mark_notified(self, record: dict[str, Any]) -> None:
        self.notified.append(record["eventId"])

    def release_claim(self, record: dict[str, Any], claim: str) -> None:
        self.released.append(claim)


class FakePublisher:
    longest_publish_seconds = 39.0

    def __init__(self, fail: bool = False) -> None:
        self.fail, self.sent = fail, []

    def publish(self, notification: Notification) -> str:
        if self.fail:
            raise ConnectionError("SNS is down")
        self.sent.append(notification)
        return f"message-{len(self.sent)}"


class FakeGetJob:
    def __init__(self, answer: dict[str, Any] | None = None, error: EnrichmentError | None = None) -> None:
        self.answer, self.error, self.asked = answer, error, []

    def describe(self, job: JobArn, event_status: str | None = None) -> dict[str, Any]:
        self.asked.append((job.arn, event_status))
        if self.error:
            raise self.error
        return self.answer or job_description(event_status or "COMPLETED")


class FakeJobTasks:
    def __init__(self, tasks: list[dict[str, Any]] | None = None) -> None:
        self.tasks, self.asked = tasks or [], []

    def tasks_of_job(self, job_arn: str) -> list[dict[str, Any]]:
        self.asked.append(job_arn)
        return self.tasks


class FakeDeviceStore:
    """A device timeline: ``latest`` as stored before the event; saves recorded with their claims."""

    def __init__(self, latest: dict[str, Any] | None = None, outcome: SaveOutcome = SaveOutcome.RECORDED) -> None:
        self.stored_latest, self.outcome = latest, outcome
        self.saved: list[tuple[dict[str, Any], str | None]] = []
        self.notified: list[str] = []
        self.released: list[str] = []
        self.latest_asked: list[str] = []

    def history_facts(self, arn: str) -> HistoryFacts:
        raise AssertionError("a device event needs no history facts")

    def latest(self, arn: str) -> dict[str, Any] | None:
        self.latest_asked.append(arn)
        return self.stored_latest

    def save(self, record: dict[str, Any], *, claim: str | None) -> SaveOutcome:
        self.saved.append((record, claim))
        return self.outcome

    def mark_notified(self, record: dict[str, Any]) -> None:
        self.notified.append(record["eventId"])

    def release_claim(self, record: dict[str, Any], claim: str) -> None:
        self.released.append(claim)


class FakeWaitingTasks:
    def __init__(self, count: int = 3) -> None:
        self.waiting, self.asked = count, []

    def count(self, device_arn: str) -> int:
        self.asked.append(device_arn)
        return self.waiting


class FakeJoinStore:
    def __init__(self, outcome: SaveOutcome = SaveOutcome.RECORDED) -> None:
        self.outcome, self.joined = outcome, []
        self.kept: list[dict[str, Any]] = []

    def join_call(self, record: dict[str, Any], role: str) -> SaveOutcome:
        self.joined.append((record, role))
        return self.outcome

    def keep_call(self, record: dict[str, Any]) -> SaveOutcome:
        self.kept.append(record)
        return SaveOutcome.RECORDED_LATE


class FakeDeadLetters:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, Rejection]] = []
        self.fail = fail

    def send(self, body: str, rejection: Rejection) -> None:
        if self.fail:
            raise ConnectionError("SQS unreachable")
        self.sent.append((body, rejection))


class FakeSpendStore:
    def __init__(self, outcome: SaveOutcome = SaveOutcome.RECORDED) -> None:
        self.outcome = outcome
        self.saved: list[tuple[dict[str, Any], str | None]] = []
        self.notified: list[str] = []
        self.released: list[str] = []
        self.dropped: list[str] = []

    def history_facts(self, arn: str) -> Any:
        raise AssertionError("not asked")

    def latest(self, arn: str) -> dict[str, Any] | None:
        raise AssertionError("not asked")

    def save(self, record: dict[str, Any], *, claim: str | None) -> SaveOutcome:
        self.saved.append((dict(record), claim))
        return self.outcome

    def mark_notified(self, record: dict[str, Any]) -> None:
        self.notified.append(record["eventId"])

    def release_claim(self, record: dict[str, Any], claim: str) -> None:
        self.released.append(record["eventId"])

    def drop_claim(self, record: dict[str, Any], claim: str) -> None:
        self.dropped.append(record["eventId"])


class FakeMarks:
    """``ThresholdMarks`` by the adapter's rule: raise only if lower; name the event the announcer of each
    threshold up to it that has none."""

    def __init__(self, fail: bool = False) -> None:
        self.marks: dict[tuple[str, str], dict[str, Any]] = {}
        self.fail = fail

    def advance(self, limit_arn: str, period_key: str, reached: int, thresholds: Sequence[int], event_id: str):
        if self.fail:
            raise ConnectionError("injected")
        mark = self.marks.setdefault((limit_arn, period_key), {})
        covered = sorted({t for t in thresholds if t <= reached} | {reached})
        if mark.get("highest", 0) < reached:
            mark["highest"] = reached
            for threshold in covered:
                mark.setdefault(threshold, event_id)
        return tuple(t for t in covered if mark.get(t) == event_id)
