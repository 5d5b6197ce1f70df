"""Where the budget step runs: after every task event's save (a duplicate too) and after a CreateQuantumTask
joined onto a task; never for a cancel, a job, or a call that did not come through the events queue."""

from __future__ import annotations

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.budgets.standing import BudgetReport
from task_monitor.domain.kinds.api_call.monitor import ApiCallMonitor
from task_monitor.domain.kinds.task.monitor import TaskMonitor
from task_monitor.domain.outcomes import SaveOutcome
from task_monitor_devkit.builders.api_call import JOB_ARN, cancel_task_call, create_job_call, create_task_call
from task_monitor_devkit.builders.task import TASK_ARN, task_event
from tests.support.fakes import FROM_QUEUE, FakeBraket, FakeJoinStore, FakePublisher, FakeStore


class RecordingBudgets:
    def __init__(self) -> None:
        self.accounted: list[str] = []

    def account(self, task_arn: str) -> BudgetReport:
        self.accounted.append(task_arn)
        return BudgetReport(totals_updated=1)


def _task_monitor(store: FakeStore, budgets: RecordingBudgets) -> TaskMonitor:
    return TaskMonitor(
        FakeBraket(),
        store,
        Announcer(FakePublisher(), claim_timeout_seconds=90, now=lambda: 0.0),
        frozenset({"COMPLETED"}),
        clock=lambda: "2026-11-20T12:00:00.000Z",
        budgets=budgets,
    )


def test_every_task_event_is_accounted_after_its_save_even_a_duplicate() -> None:
    budgets = RecordingBudgets()
    for outcome in (SaveOutcome.RECORDED, SaveOutcome.RECORDED_LATE, SaveOutcome.DUPLICATE):
        result = _task_monitor(FakeStore(outcome), budgets).process(task_event("QUEUED"), FROM_QUEUE)
        assert result.budgets == BudgetReport(totals_updated=1)
    assert budgets.accounted == [TASK_ARN] * 3


def test_only_a_joined_create_call_on_a_task_is_accounted() -> None:
    budgets = RecordingBudgets()
    monitor = ApiCallMonitor({"task": FakeJoinStore(), "job": FakeJoinStore()}, budgets=budgets)
    assert monitor.process(create_task_call(TASK_ARN), FROM_QUEUE).budgets is not None
    for event in (cancel_task_call(TASK_ARN), create_job_call(JOB_ARN)):
        assert monitor.process(event, FROM_QUEUE).budgets is None
    assert monitor.process(create_task_call(TASK_ARN), Arrival.direct()).budgets is None  # kept, not joined
    assert budgets.accounted == [TASK_ARN]
