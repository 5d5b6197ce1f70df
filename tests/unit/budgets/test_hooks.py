"""Where the budget step runs: after every task event's save (a duplicate too) and after a CreateQuantumTask
joined onto a task; never for a cancel, a job, or a call that did not come through the events queue."""

from __future__ import annotations

import dataclasses

from task_monitor import telemetry_names as names
from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.budgets.standing import BudgetReport
from task_monitor.domain.kinds.api_call.monitor import ApiCallMonitor
from task_monitor.domain.kinds.task.monitor import TaskMonitor
from task_monitor.domain.outcomes import SaveOutcome
from task_monitor_devkit.builders.api_call import JOB_ARN, cancel_task_call, create_job_call, create_task_call
from task_monitor_devkit.builders.task import TASK_ARN, task_event
from tests.support.fakes import FROM_QUEUE, FakeBraket, FakeJoinStore, FakePublisher, FakeStore
from tests.support.telemetry import telemetry_of  # imports the logger outside any capture

METRICS = {names.BUDGET_UPDATES, names.BUDGET_THRESHOLDS_CROSSED, names.UNPRICED_TASKS_IN_BUDGETS}


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


def test_what_the_step_did_becomes_metrics_and_the_log_line(capsys) -> None:
    report = BudgetReport(totals_updated=2, newly_unpriced=1, thresholds_announced=("budget:qc:2026-12:80",))
    result = _task_monitor(FakeStore(), RecordingBudgets()).process(task_event("QUEUED"), FROM_QUEUE)
    telemetry = telemetry_of(dataclasses.replace(result, budgets=report), capsys)
    values = {name: doc[name] for doc in telemetry.metrics for name in doc if name in METRICS}
    assert values == {"BudgetUpdates": [2.0], "BudgetThresholdsCrossed": [1.0], "UnpricedTasksInBudgets": [1.0]}
    (line,) = [log for log in telemetry.logs if log["message"] == "Processed task event"]
    assert line["budgets"] == {"totalsUpdated": 2, "thresholdsAnnounced": ["budget:qc:2026-12:80"]}


def test_a_step_that_changed_nothing_emits_no_budget_metric(capsys) -> None:
    result = _task_monitor(FakeStore(), RecordingBudgets()).process(task_event("QUEUED"), FROM_QUEUE)
    telemetry = telemetry_of(dataclasses.replace(result, budgets=BudgetReport()), capsys)
    assert not {name for doc in telemetry.metrics for name in doc} & METRICS
