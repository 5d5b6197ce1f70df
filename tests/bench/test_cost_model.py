"""The cost model's arithmetic (benchmarks/cost_model.py), on figures small enough to check by hand."""

from __future__ import annotations

import pytest

from benchmarks import cost_model
from benchmarks.cost_model import Assumptions, Path, cost_per_million, dynamodb_units, workload

# List prices, us-east-1, written out here from AWS's pricing pages (as read in November 2026), so the
# model's figures are checked against them rather than against themselves: (USD per unit, the page).
LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/ (Arm, first 6 billion GB-s a month)"
LIST_PRICES = {
    "LAMBDA_GB_SECOND": (0.0000133334, LAMBDA_PRICING),
    "LAMBDA_REQUEST": (0.20 / 1_000_000, LAMBDA_PRICING),
    "SQS_REQUEST": (0.40 / 1_000_000, "https://aws.amazon.com/sqs/pricing/ (standard queue, per request)"),
    "DYNAMODB_WRU": (0.625 / 1_000_000, "https://aws.amazon.com/dynamodb/pricing/on-demand/ (write request unit)"),
    "DYNAMODB_RRU": (0.125 / 1_000_000, "https://aws.amazon.com/dynamodb/pricing/on-demand/ (read request unit)"),
    "SNS_PUBLISH": (0.50 / 1_000_000, "https://aws.amazon.com/sns/pricing/ (standard topic, per publish)"),
}
GB_SECOND, LAMBDA_REQUEST, SQS_REQUEST = (
    LIST_PRICES[name][0] for name in ("LAMBDA_GB_SECOND", "LAMBDA_REQUEST", "SQS_REQUEST")
)
WRU, SNS_PUBLISH = LIST_PRICES["DYNAMODB_WRU"][0], LIST_PRICES["SNS_PUBLISH"][0]


@pytest.mark.parametrize("name", LIST_PRICES)
def test_the_model_prices_each_unit_at_aws_s_list_price(name: str) -> None:
    price, source = LIST_PRICES[name]
    assert getattr(cost_model, name) == pytest.approx(price, rel=1e-9), f"{name}: the list price is {price} ({source})"


QUEUED = {"GetQuantumTask": 1, "TransactWriteItems": 1}
COMPLETED = {"GetQuantumTask": 1, "Query": 1, "TransactWriteItems": 1, "Publish": 1, "UpdateItem": 1}


def test_a_transaction_costs_twice_its_items_plus_the_index_writes() -> None:
    assume = Assumptions(event_item_kb=1.5, latest_item_kb=0.8, indexes_written=3)
    # 2 x (2 + 1) for the transaction's two items, 3 x 1 for the indexes
    assert dynamodb_units(QUEUED, assume) == (9, 0)
    # plus the UpdateItem on the event item (2 WRU) and one consistent read of up to 4 KB
    assert dynamodb_units(COMPLETED, assume) == (11, 1)
    assert dynamodb_units({"TransactWriteItems": 1, "PutItem": 1}, assume) == (11, 0)


def test_cost_per_million_events_by_service() -> None:
    assume = Assumptions(
        memory_mb=1024, batch_size=10, latency_ms_per_call=10, event_item_kb=1, latest_item_kb=1, indexes_written=0
    )
    paths = {"queued": Path(share=1.0, cpu_ms=5.0, calls=QUEUED)}
    costs = cost_per_million(paths, assume)
    # 5 ms CPU + 2 calls x 10 ms = 25 ms at 1 GB: 25,000 GB-s
    assert costs["lambda_ms_per_event"] == pytest.approx(25.0)
    assert costs["lambda_compute"] == pytest.approx(25_000 * GB_SECOND)
    assert costs["lambda_requests"] == pytest.approx(100_000 * LAMBDA_REQUEST)
    # 100,000 batches x 3 requests, plus a million sends
    assert costs["sqs"] == pytest.approx(1_300_000 * SQS_REQUEST)
    # 4 WRU per event (two 1 KB items, each written twice in a transaction)
    assert costs["dynamodb_writes"] == pytest.approx(4 * 1_000_000 * WRU)
    assert costs["dynamodb_reads"] == 0
    assert costs["sns_publishes"] == 0
    parts = ("lambda_compute", "lambda_requests", "sqs", "dynamodb_writes", "dynamodb_reads", "sns_publishes")
    assert costs["total"] == pytest.approx(sum(costs[name] for name in parts))


def test_a_mix_whose_shares_do_not_add_up_is_refused() -> None:
    with pytest.raises(ValueError, match="add up"):
        cost_per_million({"a": Path(0.5, 1.0, QUEUED)}, Assumptions())


def test_the_workload_mix_notifies_a_quarter_of_fresh_events() -> None:
    measured = {
        name: {"cpu_ms_per_event": 1.0, "calls_per_event": calls}
        for name, calls in {
            "queued_new": QUEUED,
            "completed_notified": COMPLETED,
            "duplicate": QUEUED,
            "late_queued_after_completed": {**QUEUED, "PutItem": 1},
        }.items()
    }
    paths = workload(measured, duplicate_share=0.1, late_share=0.1)
    assert sum(path.share for path in paths.values()) == pytest.approx(1.0)
    assert paths["completed_notified"].share == pytest.approx(0.2)
    costs = cost_per_million(paths, Assumptions())
    assert costs["sns_publishes"] == pytest.approx(0.2 * 1_000_000 * SNS_PUBLISH)


def test_measured_write_units_replace_the_assumed_item_sizes() -> None:
    measured = {
        name: {"cpu_ms_per_event": 1.0, "calls_per_event": {"TransactWriteItems": 1}}
        for name in ("queued_new", "completed_notified", "duplicate", "late_queued_after_completed")
    }
    # Assumed 2 KB items: 2 x (2 + 2) + 3 x 2 = 14 units on every path.
    assert cost_per_million(workload(measured), Assumptions())["wru_per_event"] == pytest.approx(14)
    units = {"queued_new": 6.0, "completed_notified": 8.0, "duplicate": 4.0, "late_queued_after_completed": 5.0}
    costs = cost_per_million(workload(measured, write_units=units), Assumptions())
    # 0.9 x (0.75 x 6 + 0.25 x 8) + 0.05 x 4 + 0.05 x 5
    assert costs["wru_per_event"] == pytest.approx(0.9 * (0.75 * 6 + 0.25 * 8) + 0.05 * 4 + 0.05 * 5)
    assert costs["dynamodb_writes"] == pytest.approx(costs["wru_per_event"] * 1e6 * WRU)


def test_the_mix_mean_weighs_paths_as_the_workload_does() -> None:
    from benchmarks.cost_model import mix_mean

    figures = {"queued_new": 10.0, "completed_notified": 12.0, "duplicate": 8.0, "late_queued_after_completed": 10.0}
    assert mix_mean(figures) == pytest.approx(0.675 * 10 + 0.225 * 12 + 0.05 * 8 + 0.05 * 10)
