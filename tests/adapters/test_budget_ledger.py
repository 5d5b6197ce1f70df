"""The budget ledger on moto: the versioned transaction, exact decimal totals, crossings written once."""

from __future__ import annotations

from decimal import Decimal

from task_monitor.adapters.budget_ledger import DynamoBudgetLedger, creator_sort_key
from task_monitor.adapters.dynamodb_codec import to_item
from task_monitor.domain.announce import Announcer
from task_monitor.domain.budgets.accounting import BudgetAccounting
from task_monitor.domain.budgets.model import parse_budgets
from task_monitor.domain.budgets.rules import Contribution, changes
from task_monitor.domain.budgets.standing import Applied
from task_monitor.domain.outcomes import SaveOutcome
from tests.adapters.conftest import TABLE
from tests.support.fakes import FakePublisher

ROLE = "arn:aws:iam::123456789012:role/QubitWrangler"
TASK = "arn:aws:braket:us-east-1:123456789012:quantum-task/0b0e7a8c-3f41-4a52-9d6e-1c2b3a4d5e6f"
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
BUDGETS = parse_budgets([{"name": "qc", "by": "tag", "match": "project=qc", "monthlyUsd": "1", "thresholds": [50]}])


def _ledger(dynamodb, latest=lambda arn: None) -> DynamoBudgetLedger:
    return DynamoBudgetLedger(dynamodb, TABLE, latest, sleep=lambda _s: None)


def _apply(ledger, applied: Applied, amount: str | None, creator: str = ROLE) -> bool:
    wanted = {"qc": Contribution("2026-12", creator, None if amount is None else Decimal(amount))}
    return ledger.apply(TASK, applied, wanted, changes(applied.contributions, wanted))


def test_the_difference_is_added_exactly_and_the_version_refuses_a_stale_write(dynamodb) -> None:
    ledger = _ledger(dynamodb)
    assert _apply(ledger, Applied(), "0.10")
    first = ledger.applied(TASK)
    assert first.version == 1 and first.contributions["qc"].amount_usd == Decimal("0.10")
    assert _apply(ledger, first, "0.30")  # requested shots became more successful ones: +0.20
    assert not _apply(ledger, first, "0.70"), "written over a version another write replaced"
    assert not _apply(ledger, Applied(), "0.70"), "a first write when one exists"
    standing = ledger.month_standing("qc", "2026-12")
    assert (standing.total_usd, standing.tasks, standing.unpriced_tasks) == (Decimal("0.30"), 1, 0)
    assert ledger.creator_subtotals("qc", "2026-12") == {ROLE: Decimal("0.30")}


def test_an_unknown_price_is_counted_and_adds_nothing(dynamodb) -> None:
    ledger = _ledger(dynamodb)
    assert _apply(ledger, Applied(), None)
    standing = ledger.month_standing("qc", "2026-12")
    assert (standing.total_usd, standing.tasks, standing.unpriced_tasks) == (0, 1, 1)
    assert "amountUsd" not in ledger.applied(TASK).contributions["qc"].stored()


def test_a_principal_too_long_for_a_sort_key_is_keyed_by_its_hash(dynamodb) -> None:
    long_role = "arn:aws:iam::123456789012:role/" + "p/" * 480 + "Researcher"
    assert creator_sort_key(long_role).startswith("CREATOR#sha256:")
    ledger = _ledger(dynamodb)
    assert _apply(ledger, Applied(), "0.25", creator=long_role)
    assert ledger.creator_subtotals("qc", "2026-12") == {long_role: Decimal("0.25")}


def test_a_crossing_is_written_once_and_its_state_read_back(dynamodb) -> None:
    ledger = _ledger(dynamodb)
    record = {"eventId": "budget:qc:2026-12:50", "budget": "qc", "month": "2026-12", "thresholdPercent": 50}
    assert ledger.crossings.save(record, claim="first") is SaveOutcome.RECORDED
    assert ledger.month_standing("qc", "2026-12").unsent == {50}
    ledger.crossings.mark_notified(record)
    assert ledger.crossings.save(record, claim="second") is SaveOutcome.DUPLICATE
    assert ledger.month_standing("qc", "2026-12").announced == {50}


def test_the_step_on_moto_reads_the_task_s_latest_state_and_announces_once(dynamodb) -> None:
    latest = {
        "pk": f"TASK#{TASK}",
        "sk": "LATEST",
        "quantumTaskArn": TASK,
        "status": "COMPLETED",
        "eventTime": "2026-12-01T10:00:03.000Z",
        "createdAt": "2026-12-01T10:00:00.000Z",
        "deviceArn": FORTE,
        "tags": {"project": "qc"},
        "createdBy": {"principal": ROLE},
        "estimatedCost": {"amountUsd": "0.62", "basis": "IonQ Forte-1: $0.30 per task + $0.08 x 4 shots"},
    }
    dynamodb.put_item(TableName=TABLE, Item=to_item(latest))
    from task_monitor.adapters.audit_store import DynamoAuditStore

    ledger = _ledger(dynamodb, DynamoAuditStore(dynamodb, TABLE).latest)
    publisher = FakePublisher()
    accounting = BudgetAccounting(BUDGETS, ledger, Announcer(publisher, claim_timeout_seconds=90), clock=lambda: "t")
    first = accounting.account(TASK)
    assert (first.totals_updated, first.thresholds_announced) == (1, ("budget:qc:2026-12:50",))
    assert not accounting.account(TASK).did_something  # a duplicate delivery: no write, no second email
    assert len(publisher.sent) == 1
    assert ledger.month_standing("qc", "2026-12").total_usd == Decimal("0.62")
