"""Budgets end to end, through the real handler's SQS batch path (moto and the Braket emulator):
a changed estimate applies only its difference, a creator learned after the task ended still counts
the task in that creator's budget, duplicates change nothing, and each threshold is announced once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from task_monitor.adapters.budget_ledger import DynamoBudgetLedger
from task_monitor.domain.budgets.model import parse_budgets
from task_monitor_devkit.builders.api_call import create_task_call
from task_monitor_devkit.builders.task import TASK_ARN, description, task_event
from task_monitor_devkit.embedded import TABLE_NAME
from tests.support.budget_stand_in import budgets_configured

ROLE = "arn:aws:iam::123456789012:role/QubitWrangler"
MONTH = "2026-11"  # the builders' task is created 2026-11-20
BUDGETS = parse_budgets(
    [
        {"name": "vqe", "by": "tag", "match": "project=vqe-h2", "monthlyUsd": "100", "thresholds": [50, 80, 100]},
        {"name": "marisol", "by": "creator", "match": ROLE, "monthlyUsd": "50", "thresholds": [50, 100]},
    ]
)


def _send(aws, *events: dict[str, Any], successful_shots: int = 400) -> None:
    for event in events:
        if event["detail-type"] == "Braket Task State Change":
            status = event["detail"]["status"]
            extra = {"numSuccessfulShots": successful_shots} if status == "COMPLETED" else {}
            aws.braket.put_task(description(status, **extra))
        aws.deliver(event)
        batches = aws.drain()
        assert [batch.retried for batch in batches] == [[]], "nothing is handed back for a retry"
    assert aws.dead_letters() == []


def _budget_messages(aws) -> list[dict[str, Any]]:
    return [envelope for envelope in aws.subscriber_messages() if envelope["Record"]["kind"] == "budget"]


def test_changed_estimate_late_creator_and_duplicates(embedded) -> None:
    with budgets_configured(embedded, BUDGETS):
        ledger = DynamoBudgetLedger(embedded.dynamodb, TABLE_NAME, lambda arn: None)
        queued, completed = task_event("QUEUED"), task_event("COMPLETED")
        _send(embedded, queued)  # 1000 requested shots: $80.30 -> 50 % and 80 % of $100
        assert ledger.month_standing("vqe", MONTH).total_usd == Decimal("80.30")
        first = _budget_messages(embedded)
        assert sorted(m["Record"]["thresholdPercent"] for m in first) == [50, 80]

        _send(embedded, completed)  # 400 successful shots: $32.30, only the difference applied
        vqe = ledger.month_standing("vqe", MONTH)
        assert (vqe.total_usd, vqe.tasks) == (Decimal("32.30"), 1)
        assert vqe.announced == {50, 80}
        assert ledger.month_standing("marisol", MONTH).total_usd == 0  # creator unknown so far

        _send(embedded, create_task_call(TASK_ARN))  # CloudTrail arrives after the task ended
        assert ledger.month_standing("marisol", MONTH).total_usd == Decimal("32.30")
        spent = {creator: amount for creator, amount in ledger.creator_subtotals("vqe", MONTH).items() if amount}
        assert spent == {ROLE: Decimal("32.30")}  # moved from "unknown" to the creator
        (late,) = _budget_messages(embedded)
        record = late["Record"]
        assert (record["budget"], record["thresholdPercent"], record["schemaVersion"]) == ("marisol", 50, 1)
        assert record["topSpenders"] == [{"creator": ROLE, "amountUsd": "32.30"}]
        assert late["MessageAttributes"]["budget"]["Value"] == "marisol"
        assert "not a bill" in embedded.published[-1].email_text

        _send(embedded, queued, completed, create_task_call(TASK_ARN), task_event("RUNNING"))  # redeliveries
        assert ledger.month_standing("vqe", MONTH).total_usd == Decimal("32.30")
        assert ledger.month_standing("marisol", MONTH).total_usd == Decimal("32.30")
        assert _budget_messages(embedded) == []


def test_a_failed_task_counts_nothing_and_an_unknown_price_is_counted(embedded) -> None:
    other = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
    with budgets_configured(embedded, BUDGETS):
        ledger = DynamoBudgetLedger(embedded.dynamodb, TABLE_NAME, lambda arn: None)
        _send(embedded, task_event("QUEUED"), task_event("FAILED"))
        standing = ledger.month_standing("vqe", MONTH)
        assert (standing.total_usd, standing.tasks) == (0, 1)
        arn = TASK_ARN.replace("5b0e7a8c", "6c1f8b9d")
        for status in ("QUEUED", "COMPLETED"):
            embedded.braket.put_task(description(status, arn=arn, device=other))
            embedded.deliver(task_event(status, arn=arn, device=other))
            embedded.drain()
        standing = ledger.month_standing("vqe", MONTH)
        assert (standing.total_usd, standing.tasks, standing.unpriced_tasks) == (0, 2, 1)
