"""The values that cross the budget ports: what a task applied, where a month stands, what a step did."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from task_monitor.domain.budgets.rules import Contribution


@dataclass(frozen=True)
class Applied:
    """A task's contributions as last applied to the totals (absolute amounts, not deltas), by budget
    name, and the version of the item that holds them (0: nothing applied yet)."""

    version: int = 0
    contributions: dict[str, Contribution] = field(default_factory=dict)


@dataclass(frozen=True)
class MonthStanding:
    """One budget's month: its total, and its thresholds announced (SENT) or recorded but not yet sent."""

    total_usd: Decimal = Decimal(0)
    tasks: int = 0
    unpriced_tasks: int = 0
    announced: frozenset[int] = frozenset()
    unsent: frozenset[int] = frozenset()


@dataclass(frozen=True)
class BudgetReport:
    """What one budget step did, for metrics and the log line."""

    totals_updated: int = 0  # budget-month totals whose amount or counts this step changed
    newly_unpriced: int = 0  # budgets that now count the task as of unknown price (it adds nothing)
    thresholds_announced: tuple[str, ...] = ()  # the crossings this step published
    retries: int = 0  # applies that lost a race with another delivery and were read again

    @property
    def did_something(self) -> bool:
        return bool(self.totals_updated or self.newly_unpriced or self.thresholds_announced)
