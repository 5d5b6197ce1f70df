"""Budget declarations: what cdk.json may say, and one clear error for each thing it may not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from task_monitor.domain.budgets.model import BudgetConfigError, budgets_json, parse_budgets

ROLE = "arn:aws:iam::123456789012:role/QubitWrangler"
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"


def _one(**fields):
    return {"name": "qc-team", "by": "tag", "match": "project=qc", "monthlyUsd": "500", **fields}


def test_each_kind_parses_and_round_trips_through_the_environment_variable() -> None:
    declared = [
        _one(thresholds=[100, 50, 80]),
        {"name": "marisol", "by": "creator", "match": ROLE, "monthlyUsd": "99.50"},
        {"name": "forte", "by": "device", "match": FORTE, "monthlyUsd": "1000", "thresholds": [90]},
    ]
    budgets = parse_budgets(declared)
    assert [b.thresholds for b in budgets] == [(50, 80, 100), (50, 80, 100), (90,)]
    assert budgets[1].monthly_usd == Decimal("99.50")
    assert budgets[0].tag == ("project", "qc")
    assert parse_budgets(budgets_json(budgets)) == budgets
    assert parse_budgets("") == () == parse_budgets([])


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ({"budgets": []}, "expected a list"),
        ("[", "not valid JSON"),
        (["x"], "budget #1: expected an object"),
        ([_one(name="has space")], "name must be"),
        ([_one(by="person")], "(qc-team): by must be one of creator, tag, device"),
        ([_one(match="project")], "match must be one tag as key=value"),
        ([_one(by="creator", match="marisol")], "principal ARN"),
        ([_one(by="device", match="Forte-1")], "Braket device ARN"),
        ([_one(monthlyUsd=500)], "monthlyUsd must be a decimal string"),
        ([_one(monthlyUsd="5e2")], "monthlyUsd must be a decimal string"),
        ([_one(monthlyUsd="0")], "more than 0"),
        ([_one(thresholds=[])], "thresholds must be a list"),
        ([_one(thresholds=[50.5])], "whole percent"),
        ([_one(thresholds=[True])], "whole percent"),
        ([_one(thresholds=[0])], "whole percent"),
        ([_one(thresholds=[80, 80])], "repeat"),
        ([_one(limit="5")], "unknown field(s) ['limit']"),
        ([_one(), _one()], "must be unique"),
        ([_one(name=f"b{i}") for i in range(21)], "at most 20 budgets"),
    ],
)
def test_a_bad_declaration_is_refused_with_its_own_message(declared, message: str) -> None:
    with pytest.raises(BudgetConfigError) as raised:
        parse_budgets(declared)
    assert message in str(raised.value)
