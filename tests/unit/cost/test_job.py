"""A hybrid job's cost: instance minutes (billableDuration only where it agrees) plus its tasks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from task_monitor.domain.cost.job import billed_seconds, estimate_job_cost
from task_monitor.domain.cost.price_table import PriceTable, parse_entries

PRICES = PriceTable.shipped().with_overrides(
    parse_entries(
        [
            {
                "family": "jobInstance",
                "instanceType": "ml.m5.large",
                "region": "us-east-1",
                "perMinuteUsd": "0.002",
                "source": "test",
                "confidence": "I",
            }
        ],
        "prices",
    )
)


def job(**fields: Any) -> dict[str, Any]:
    return {
        "region": "us-east-1",
        "instanceConfig": {"instanceType": "ml.m5.large", "volumeSizeInGb": 30, "instanceCount": 2},
        "timings": {"runningSeconds": 1050.0},
        "billableDuration": 1051746,
        **fields,
    }


def task(amount: str, maximum: str, shots: int, basis: str = "successful") -> dict[str, Any]:
    return {"estimatedCost": {"amountUsd": amount, "maxAmountUsd": maximum, "shots": shots, "shotsBasis": basis}}


@pytest.mark.parametrize(
    ("duration", "span", "seconds", "words"),
    [
        (1051746, 1050.0, "1051.746", "read as milliseconds"),
        (1051, 1050.0, "1051.000", "read as seconds"),
        (5, 1050.0, "1050.0", "agrees with it neither"),
        (None, 1050.0, "1050.0", "no billableDuration"),
        (True, 1050.0, "1050.0", "no billableDuration"),
        (1051746, None, None, "start or end time is unknown"),
    ],
)
def test_billable_duration_is_used_only_where_it_agrees_with_the_span(duration, span, seconds, words) -> None:
    billed, how = billed_seconds(duration, span)
    assert billed == (Decimal(seconds) if seconds else None)
    assert words in how


def test_a_job_costs_its_instance_minutes_and_its_tasks_each_part_named() -> None:
    estimate = estimate_job_cost(job(), [task("8.30", "8.30", 100), task("0.00375", "0.00375", 1000)], PRICES)
    instances = Decimal("0.002") * Decimal("1051.746") / 60 * 2  # 0.0701164
    assert estimate["parts"] == {"instancesUsd": "0.070116", "tasksUsd": "8.30375"}
    assert estimate["amountUsd"] == str((instances + Decimal("8.30375")).quantize(Decimal("0.000001")))
    assert estimate["shots"] == 1100 and estimate["shotsBasis"] == "successful"
    assert estimate["approximate"] is True
    assert "2 x ml.m5.large" in estimate["basis"] and "read as milliseconds" in estimate["basis"]
    assert "tasks: 2 priced = $8.30375" in estimate["basis"]


def test_an_unpriced_part_leaves_the_amount_absent_but_keeps_the_priced_parts() -> None:
    unknown_instance = estimate_job_cost(
        job(instanceConfig={"instanceType": "ml.p3.2xlarge"}), [task("1.00", "2.00", 5)], PRICES
    )
    assert "amountUsd" not in unknown_instance
    assert unknown_instance["parts"] == {"tasksUsd": "1.00"}
    assert "no jobInstance price for ml.p3.2xlarge" in unknown_instance["basis"]
    unpriced_task = estimate_job_cost(job(), [task("1.00", "2.00", 5), {"status": "COMPLETED"}], PRICES)
    assert "amountUsd" not in unpriced_task and "1 without a price" in unpriced_task["basis"]


def test_a_job_without_tasks_costs_its_instances() -> None:
    estimate = estimate_job_cost(job(instanceConfig={"instanceType": "ml.m5.large"}), [], PRICES)
    assert estimate["parts"]["tasksUsd"] == "0" and estimate["shotsBasis"] == "requested"
    assert Decimal(estimate["amountUsd"]) == Decimal(estimate["parts"]["instancesUsd"])  # one instance by default


@given(st.lists(st.tuples(st.decimals("0", "100", places=6), st.decimals("0", "100", places=6)), max_size=20))
def test_the_job_amount_is_its_parts_and_never_exceeds_its_maximum(costs) -> None:
    tasks = [task(str(a), str(a + b), 1) for a, b in costs]
    estimate = estimate_job_cost(job(), tasks, PRICES)
    assert Decimal(estimate["amountUsd"]) <= Decimal(estimate["maxAmountUsd"])
    total = Decimal(estimate["parts"]["instancesUsd"]) + Decimal(estimate["parts"]["tasksUsd"])
    assert abs(Decimal(estimate["amountUsd"]) - total) <= Decimal("0.000001")
