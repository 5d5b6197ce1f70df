"""A budget threshold crossing as an SNS notification: the email, the JSON (``kind`` "budget") and the
attributes to filter on. Every amount is an estimate and says so: a budget adds up the tasks'
``estimatedCost``, never a bill."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from task_monitor.domain.budgets.model import BY_CREATOR, BY_DEVICE, Budget
from task_monitor.domain.notification_model import Notification, compose, compose_email, string_attribute

KIND = "budget"
BASIS = (
    "Estimated spend, not a bill: the sum of each task's estimatedCost (list prices from the monitor's "
    "price table, successful shots once known, requested shots until then, simulators approximate; a "
    "task of unknown price adds nothing). Each task counts in the month (UTC) it was created. AWS "
    "Billing and Cost Explorer remain the record of what is charged."
)
_WHAT = {BY_CREATOR: "tasks created by", BY_DEVICE: "tasks on device"}


def _usd(amount: Decimal | str) -> str:
    return f"${Decimal(amount):,.2f}"


def render_crossing(budget: Budget, record: Mapping[str, Any], spenders: Sequence[tuple[str, Decimal]]) -> Notification:
    percent, month = record["thresholdPercent"], record["month"]
    scope = f"{_WHAT.get(budget.by, 'tasks tagged')} {budget.match}"
    subject = f"Budget {budget.name}: {percent}% of {_usd(budget.monthly_usd)} reached in {month} (estimated)"
    facts: list[tuple[str, str | None]] = [
        ("Budget", f"{budget.name} ({scope})"),
        ("Month", f"{month} (UTC)"),
        ("Threshold", f"{percent}% = {_usd(record['thresholdUsd'])} of {_usd(budget.monthly_usd)} a month"),
        ("Estimated spend", f"{_usd(record['totalUsd'])} in {record['tasks']} task(s), approximate"),
        (
            "Unpriced tasks",
            f"{record['unpricedTasks']} (price unknown, not included)" if record.get("unpricedTasks") else None,
        ),
    ]
    notes = []
    if spenders:
        lines = [f"  {_usd(amount)}  {creator}" for creator, amount in spenders]
        notes.append("Top spenders this month (by creator):\n" + "\n".join(lines))
    notes.append(BASIS)
    email = compose_email(
        f"Budget {budget.name} reached {percent}% of its monthly amount in {month} (estimated)",
        facts,
        notes,
        f"Budget alert {record['eventId']}, detected {record.get('detectedAt', '')}",
    )
    body = {
        **record,
        "topSpenders": [{"creator": creator, "amountUsd": str(amount)} for creator, amount in spenders],
        "approximate": True,
        "basis": BASIS,
    }
    return compose(
        kind=KIND,
        record=body,
        subject=subject,
        email_text=email,
        attributes={
            "budget": string_attribute(budget.name),
            "budgetBy": string_attribute(budget.by),
            "month": string_attribute(month),
            "thresholdPercent": {"DataType": "Number", "StringValue": str(percent)},
        },
    )
