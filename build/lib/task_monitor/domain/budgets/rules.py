"""The pure budget rules: which budgets a task counts in, in which month, for how much; what changes
when that changes; which thresholds a total has reached.

The input is always a task's LATEST state (never an older event): the latest state never moves
backwards, so neither does what a task contributes. A task contributes its ``estimatedCost.amountUsd``
(the cost helper's best estimate: requested shots until successful shots are known, 0 once FAILED or
CANCELLED) to every budget it matches, in the calendar month (UTC) of its ``createdAt`` (else its
``eventTime``). A task whose price is unknown (no ``amountUsd``) contributes nothing and is counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from task_monitor.domain.budgets.model import BY_CREATOR, BY_DEVICE, BY_TAG, Budget
from task_monitor.domain.callers import UNKNOWN_PRINCIPAL
from task_monitor.domain.timefmt import parse_instant

_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,12})?$")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Contribution:
    """What one task adds to one budget: in which month, for whom, how much (None: price unknown)."""

    month: str  # YYYY-MM, UTC
    creator: str  # createdBy.principal, or "unknown" until CloudTrail says
    amount_usd: Decimal | None

    def stored(self) -> dict[str, str]:
        """As the task's applied item keeps it: decimal strings, never floats."""
        value = {"month": self.month, "creator": self.creator}
        if self.amount_usd is not None:
            value["amountUsd"] = str(self.amount_usd)
        return value

    @classmethod
    def from_stored(cls, value: Mapping[str, Any]) -> Contribution:
        amount = value.get("amountUsd")
        return cls(str(value["month"]), str(value["creator"]), Decimal(str(amount)) if amount is not None else None)


@dataclass(frozen=True)
class TotalChange:
    """What to add to one budget's month total (``creator`` None) or to one creator's sub-total in it."""

    budget: str
    month: str
    creator: str | None
    amount_usd: Decimal
    tasks: int
    unpriced_tasks: int

    @property
    def is_nothing(self) -> bool:
        return self.amount_usd == ZERO and self.tasks == 0 and self.unpriced_tasks == 0


def month_of(state: Mapping[str, Any]) -> str | None:
    """The calendar month (UTC) the task counts in: of its creation, else of its latest event."""
    for field in ("createdAt", "eventTime"):
        moment = parse_instant(state.get(field))
        if moment is not None:
            return f"{moment.year:04d}-{moment.month:02d}"
    return None


def amount_of(state: Mapping[str, Any]) -> Decimal | None:
    """The estimate's ``amountUsd`` as a Decimal; None when the price is unknown (or the value unreadable)."""
    cost = state.get("estimatedCost")
    amount = cost.get("amountUsd") if isinstance(cost, Mapping) else None
    if isinstance(amount, str) and _AMOUNT.fullmatch(amount):
        return Decimal(amount)
    return None


def creator_of(state: Mapping[str, Any]) -> str:
    caller = state.get("createdBy")
    principal = caller.get("principal") if isinstance(caller, Mapping) else None
    return principal if isinstance(principal, str) and principal else UNKNOWN_PRINCIPAL


def matches(budget: Budget, state: Mapping[str, Any]) -> bool:
    if budget.by == BY_CREATOR:
        return creator_of(state) == budget.match
    if budget.by == BY_DEVICE:
        return state.get("deviceArn") == budget.match
    if budget.by == BY_TAG:
        tags = state.get("tags")
        key, value = budget.tag
        return isinstance(tags, Mapping) and tags.get(key) == value
    return False


def contributions(budgets: Sequence[Budget], state: Mapping[str, Any] | None) -> dict[str, Contribution]:
    """What the task, as its latest state says, contributes to each budget it matches (by budget name).

    A latest state without a status (only a CloudTrail call joined so far) contributes nothing yet."""
    if not state or "status" not in state:
        return {}
    month = month_of(state)
    if month is None:
        return {}
    amount, creator = amount_of(state), creator_of(state)
    return {budget.name: Contribution(month, creator, amount) for budget in budgets if matches(budget, state)}


def desired_applied(
    budgets: Sequence[Budget], applied: Mapping[str, Contribution], wanted: Mapping[str, Contribution]
) -> dict[str, Contribution]:
    """The task's applied contributions after this step: the configured budgets as ``wanted``; those of a
    budget no longer configured are kept as they were (its totals are left alone)."""
    configured = {budget.name for budget in budgets}
    kept = {name: contribution for name, contribution in applied.items() if name not in configured}
    return {**kept, **wanted}


def changes(applied: Mapping[str, Contribution], wanted: Mapping[str, Contribution]) -> list[TotalChange]:
    """The differences to add to the totals and creator sub-totals so that they hold ``wanted`` instead of
    ``applied``: only the difference, never the whole amount again. Entries that add nothing are left out."""
    deltas: dict[tuple[str, str, str | None], list[Any]] = {}

    def add(budget: str, contribution: Contribution, sign: int) -> None:
        amount = (contribution.amount_usd or ZERO) * sign
        unpriced = sign if contribution.amount_usd is None else 0
        for creator in (None, contribution.creator):
            entry = deltas.setdefault((budget, contribution.month, creator), [ZERO, 0, 0])
            entry[0] += amount
            entry[1] += sign
            entry[2] += unpriced

    for budget in sorted(set(applied) | set(wanted)):
        before, after = applied.get(budget), wanted.get(budget)
        if before == after:
            continue
        if before is not None:
            add(budget, before, -1)
        if after is not None:
            add(budget, after, +1)
    result = [
        TotalChange(budget, month, creator, amount, tasks, unpriced)
        for (budget, month, creator), (amount, tasks, unpriced) in deltas.items()
    ]
    return [change for change in result if not change.is_nothing]


def reached_thresholds(budget: Budget, total_usd: Decimal) -> list[int]:
    """The thresholds (percents of the monthly amount) a month's total has reached, exactly (no rounding)."""
    return [percent for percent in budget.thresholds if total_usd * 100 >= budget.monthly_usd * percent]


def top_spenders(subtotals: Mapping[str, Decimal], limit: int = 5) -> list[tuple[str, Decimal]]:
    """The creators who spent the most in a budget's month, largest first (ties by name)."""
    spending = [(creator, amount) for creator, amount in subtotals.items() if amount > ZERO]
    return sorted(spending, key=lambda pair: (-pair[1], pair[0]))[:limit]
