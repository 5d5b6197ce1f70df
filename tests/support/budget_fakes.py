"""An in-memory ``BudgetLedger`` and ``NotificationStore`` with the DynamoDB adapter's semantics
(versioned applied items, ADDed totals, crossings written once with their claim), for the pure tests."""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from task_monitor.domain.budgets.rules import Contribution, TotalChange
from task_monitor.domain.budgets.standing import Applied, MonthStanding
from task_monitor.domain.outcomes import SaveOutcome
from task_monitor.errors import NotificationInProgressError


class MemoryCrossings:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def save(self, record: Mapping[str, Any], *, claim: str | None) -> SaveOutcome:
        existing = self.items.get(record["eventId"])
        if existing is None:
            self.items[record["eventId"]] = {**record, "notification": "PUBLISHING", "claimId": claim}
            return SaveOutcome.RECORDED
        if existing["notification"] == "SENT":
            return SaveOutcome.DUPLICATE
        if existing["notification"] == "PUBLISHING" and existing["claimId"] != claim:
            raise NotificationInProgressError(record["eventId"])
        existing.update(notification="PUBLISHING", claimId=claim)
        return SaveOutcome.DUPLICATE_UNANNOUNCED

    def mark_notified(self, record: Mapping[str, Any]) -> None:
        self.items[record["eventId"]]["notification"] = "SENT"

    def release_claim(self, record: Mapping[str, Any], claim: str) -> None:
        item = self.items[record["eventId"]]
        if item.get("claimId") == claim:
            item.update(notification="PENDING", claimId=None)


class MemoryLedger:
    def __init__(self, latest: Callable[[str], dict[str, Any] | None]) -> None:
        self._latest = latest
        self.applied_items: dict[str, Applied] = {}
        self.totals: dict[tuple[str, str], list[Any]] = collections.defaultdict(lambda: [Decimal(0), 0, 0])
        self.subtotals: dict[tuple[str, str, str], Decimal] = collections.defaultdict(Decimal)
        self.crossings = MemoryCrossings()
        self.writes = 0
        self.after_latest_read: Callable[[], None] | None = None  # to interleave another delivery

    def applied(self, task_arn: str) -> Applied:
        return self.applied_items.get(task_arn, Applied())

    def latest_state(self, task_arn: str) -> dict[str, Any] | None:
        state = self._latest(task_arn)
        hook, self.after_latest_read = self.after_latest_read, None
        if hook is not None:
            hook()
        return state

    def apply(
        self, task_arn: str, applied: Applied, contributions: Mapping[str, Contribution], changes: Sequence[TotalChange]
    ) -> bool:
        if self.applied(task_arn).version != applied.version:
            return False
        self.writes += 1
        self.applied_items[task_arn] = Applied(applied.version + 1, dict(contributions))
        for change in changes:
            if change.creator is None:
                total = self.totals[(change.budget, change.month)]
                total[0] += change.amount_usd
                total[1] += change.tasks
                total[2] += change.unpriced_tasks
            else:
                self.subtotals[(change.budget, change.month, change.creator)] += change.amount_usd
        return True

    def month_standing(self, budget: str, month: str) -> MonthStanding:
        amount, tasks, unpriced = self.totals.get((budget, month), [Decimal(0), 0, 0])
        mine = [item for item in self.crossings.items.values() if (item["budget"], item["month"]) == (budget, month)]
        return MonthStanding(
            total_usd=amount,
            tasks=tasks,
            unpriced_tasks=unpriced,
            announced=frozenset(i["thresholdPercent"] for i in mine if i["notification"] == "SENT"),
            unsent=frozenset(i["thresholdPercent"] for i in mine if i["notification"] != "SENT"),
        )

    def creator_subtotals(self, budget: str, month: str) -> dict[str, Decimal]:
        return {c: v for (b, m, c), v in self.subtotals.items() if (b, m) == (budget, month)}
