"""A stand-in for the cost helper's ``estimatedCost`` on task records, so the budget step can be driven
through the real handler before that work is merged: $0.30 per task + $0.08 per shot (successful
shots once known, requested until then), 0 once FAILED or CANCELLED, unknown for any device other
than IonQ Forte-1. Once the cost helper's rules build the record, an estimate already there is kept."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from task_monitor.domain.budgets.model import Budget, budgets_json

FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"


def stand_in_cost(record: dict[str, Any]) -> dict[str, Any]:
    if record.get("deviceArn") != FORTE:
        return {"basis": "no price for this device in the stand-in table"}
    if record.get("status") in ("FAILED", "CANCELLED"):
        return {"amountUsd": "0", "basis": "failed or cancelled: not charged"}
    successful = record.get("numSuccessfulShots")
    shots = successful if isinstance(successful, int) else record.get("shots", 0)
    amount = Decimal("0.30") + Decimal("0.08") * shots
    basis = "successful" if isinstance(successful, int) else "requested"
    return {"amountUsd": str(amount), "shots": shots, "shotsBasis": basis, "approximate": False}


@contextlib.contextmanager
def stand_in_estimates(budgets: tuple[Budget, ...]) -> Iterator[None]:
    """While active: ``BUDGETS`` set for the next cold start, and task records carrying the stand-in
    estimate (unless the record has one of its own)."""
    from task_monitor.domain.kinds.task import monitor

    original = monitor.build_record

    def build_record(*args: Any, **kwargs: Any) -> Any:
        record = original(*args, **kwargs)
        if "estimatedCost" not in record:
            record["estimatedCost"] = stand_in_cost(record)
        return record

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monitor, "build_record", build_record)
        patch.setenv("BUDGETS", budgets_json(budgets))
        yield


@contextlib.contextmanager
def budgets_configured(aws: Any, budgets: tuple[Budget, ...]) -> Iterator[None]:
    """The embedded function's cold start with ``BUDGETS`` set and records carrying the stand-in estimate."""
    with stand_in_estimates(budgets):
        aws.load_handler()
        yield
    aws.load_handler()
