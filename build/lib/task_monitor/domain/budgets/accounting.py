"""The budget step: a task's latest state counted in its budgets exactly once, and crossings announced once.

Design (see docs/budgets.md and the decision of 2026-12-02): the task's applied item holds what it
last added to each budget, as an ABSOLUTE amount, at a version. A step reads that item, THEN the task's
latest state (both consistently), works out what the latest state should contribute, and, only if that
differs, writes in one transaction the new applied item (conditioned on the version it read) and the
difference to each month total and creator sub-total. Another delivery's write in between fails the
condition, and the step reads both again. Because the applied item is read before the latest state and
the latest state never moves backwards, every committed write is based on a latest state at least as
new as the one before it: duplicates, reordering and concurrent deliveries can neither count a task
twice nor move its contribution back. Rejected: applying each event's delta (an event knows only its
own estimate; a duplicate or a late event would add again or subtract wrongly).

Crossings: after the totals, each month the task adds to is read; every threshold reached (or recorded
and not yet sent) is announced through the ``Announcer`` with the claim/SENT pattern of events: one
item per threshold per budget per month, written once, so it is announced once, and a smaller total
later never re-announces it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from task_monitor.domain.budgets.model import Budget
from task_monitor.domain.budgets.rules import (
    ZERO,
    Contribution,
    changes,
    contributions,
    desired_applied,
    reached_thresholds,
    top_spenders,
)
from task_monitor.domain.budgets.standing import BudgetReport, MonthStanding
from task_monitor.errors import TaskMonitorError

if TYPE_CHECKING:
    from task_monitor.domain.announce import Announcer
    from task_monitor.domain.notification_model import Notification
    from task_monitor.domain.ports import BudgetLedger

# Each lost race costs one more pair of reads; deliveries of one task rarely overlap more than twice.
APPLY_ATTEMPTS = 6
TOP_SPENDERS = 5


class BudgetRaceError(TaskMonitorError, RuntimeError):
    """Other deliveries of the task kept writing first; the event is retried from the queue."""


def crossing_id(budget: str, month: str, percent: int) -> str:
    """The crossing's identity: one per threshold per budget per month (no '#': it ends a sort key)."""
    return f"budget:{budget}:{month}:{percent}"


class BudgetAccounting:
    """The ``Budgets`` port's implementation, over a ``BudgetLedger`` and the shared ``Announcer``."""

    def __init__(
        self,
        budgets: Sequence[Budget],
        ledger: BudgetLedger,
        announcer: Announcer,
        clock: Callable[[], str],
    ) -> None:
        self._budgets = tuple(budgets)
        self._by_name = {budget.name: budget for budget in self._budgets}
        self._ledger = ledger
        self._announcer = announcer
        self._clock = clock

    def account(self, task_arn: str) -> BudgetReport:
        applied, adding_to = self._apply(task_arn)
        # Checked on every delivery, written or not: the delivery that wrote may have died before this.
        crossings: list[str] = []
        for name, month in adding_to:
            crossings += self._announce_crossings(self._by_name[name], month)
        return dataclasses.replace(applied, thresholds_announced=tuple(crossings))

    # -- the totals ------------------------------------------------------------------------
    def _apply(self, task_arn: str) -> tuple[BudgetReport, list[tuple[str, str]]]:
        """Apply the difference; return what was done and the (budget, month) pairs the task adds to."""
        for attempt in range(APPLY_ATTEMPTS):
            applied = self._ledger.applied(task_arn)  # first: see the module's docstring
            state = self._ledger.latest_state(task_arn)
            wanted = contributions(self._budgets, state)
            target = desired_applied(self._budgets, applied.contributions, wanted)
            adding = [(name, c.month) for name, c in sorted(wanted.items()) if (c.amount_usd or ZERO) > ZERO]
            if target == applied.contributions:  # nothing changed: no write at all
                return BudgetReport(retries=attempt), adding
            deltas = changes(applied.contributions, target)
            if self._ledger.apply(task_arn, applied, target, deltas):
                totals = sum(1 for change in deltas if change.creator is None)
                unpriced = sum(
                    1
                    for name, contribution in wanted.items()
                    if contribution.amount_usd is None and _priced_or_absent(applied.contributions.get(name))
                )
                return BudgetReport(totals_updated=totals, newly_unpriced=unpriced, retries=attempt), adding
        raise BudgetRaceError(f"task {task_arn}: its budgets kept changing under {APPLY_ATTEMPTS} attempts")

    # -- the crossings ---------------------------------------------------------------------
    def _announce_crossings(self, budget: Budget, month: str) -> list[str]:
        standing = self._ledger.month_standing(budget.name, month)
        due = set(reached_thresholds(budget, standing.total_usd)) | set(standing.unsent)
        announced = []
        for percent in sorted(due - standing.announced):
            record = self._crossing_record(budget, month, percent, standing)
            recorded = self._announcer.record_and_announce(
                self._ledger.crossings,
                record,
                notify=True,
                render=lambda record=record: self._render(budget, record),  # type: ignore[misc]
            )
            if recorded.message_id is not None:
                announced.append(str(record["eventId"]))
        return announced

    def _crossing_record(self, budget: Budget, month: str, percent: int, standing: MonthStanding) -> dict[str, Any]:
        return {
            "eventId": crossing_id(budget.name, month, percent),
            "budget": budget.name,
            "by": budget.by,
            "match": budget.match,
            "month": month,
            "monthlyUsd": str(budget.monthly_usd),
            "thresholdPercent": percent,
            "thresholdUsd": str(budget.threshold_usd(percent)),
            "totalUsd": str(standing.total_usd),
            "tasks": standing.tasks,
            "unpricedTasks": standing.unpriced_tasks,
            "detectedAt": self._clock(),
        }

    def _render(self, budget: Budget, record: dict[str, Any]) -> Notification:
        from task_monitor.domain.budgets.notification import render_crossing  # only a crossing needs it

        spenders = top_spenders(self._ledger.creator_subtotals(budget.name, record["month"]), TOP_SPENDERS)
        return render_crossing(budget, record, spenders)


def _priced_or_absent(contribution: Contribution | None) -> bool:
    return contribution is None or contribution.amount_usd is not None
