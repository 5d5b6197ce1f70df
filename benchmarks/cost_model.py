"""What a million events cost, from the measured CPU per path, the calls per path and stated assumptions.

Pure arithmetic (no AWS, no measurement), so it is unit-tested: ``tests/bench/test_cost_model.py``.
List prices, us-east-1, late 2026 (check the current ones).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

LAMBDA_GB_SECOND = 0.0000133334  # arm64
LAMBDA_REQUEST = 0.20 / 1e6
SQS_REQUEST = 0.40 / 1e6
DYNAMODB_WRU = 0.625 / 1e6  # on-demand write request unit
DYNAMODB_RRU = 0.125 / 1e6  # on-demand read request unit
SNS_PUBLISH = 0.50 / 1e6
AT_REST_PER_MONTH = 2.40  # README's bill of materials, first year, without the dashboard charge


@dataclass(frozen=True)
class Path:
    """One way an event goes through the function: its share of events, CPU, and AWS calls."""

    share: float
    cpu_ms: float
    calls: dict[str, float]
    # DynamoDB write units per event on this path as measured from the items written
    # (benchmarks/measured_writes.py); None: estimated from the assumed item sizes below.
    write_units: float | None = None


@dataclass(frozen=True)
class Assumptions:
    memory_mb: int = 256
    batch_size: float = 10.0  # mean events per invocation
    latency_ms_per_call: float = 20.0  # AWS round trip per call, waited for in the function (10-30 ms)
    sqs_requests_per_batch: float = 3.0  # the mapping's receives (some empty) and its delete, per batch
    sqs_sends_per_event: float = 1.0  # the rule's SQS target: one SendMessage per event
    # Used only where a path has no measured write units (benchmarks/measured_writes.py measures them).
    event_item_kb: float = 2.0  # the event item as written (WRU: 1 per KB, rounded up)
    latest_item_kb: float = 2.0  # the latest-state item
    # GSI writes per latest-state update: byStatus's key changes on every move (a delete and a put),
    # byDevice's projected attributes change (one write); byJob only for a hybrid job's tasks.
    indexes_written: int = 3
    query_kb: float = 1.0  # Query for RUNNING events (strongly consistent: 1 RRU per 4 KB read)
    extra: dict[str, float] = field(default_factory=dict)


def write_units(kb: float) -> int:
    return max(1, math.ceil(kb))


def read_units(kb: float, consistent: bool = True) -> float:
    units = max(1, math.ceil(kb / 4))
    return units if consistent else units / 2


def dynamodb_units(calls: dict[str, float], assume: Assumptions) -> tuple[float, float]:
    """(WRU, RRU) for one event making ``calls``. A transaction writes the event item and updates the
    latest state at 2x WRU, plus the latest item's index writes (not doubled); a cancelled transaction
    is counted as if it wrote (an upper bound). PutItem alone: the event item. UpdateItem: the
    notification state on the event item."""
    event_wru = write_units(assume.event_item_kb)
    latest_wru = write_units(assume.latest_item_kb)
    transaction = 2 * (event_wru + latest_wru) + assume.indexes_written * latest_wru
    wru = calls.get("TransactWriteItems", 0) * transaction
    wru += calls.get("PutItem", 0) * event_wru
    wru += calls.get("UpdateItem", 0) * event_wru
    rru = calls.get("Query", 0) * read_units(assume.query_kb)
    return wru, rru


def cost_per_million(paths: dict[str, Path], assume: Assumptions) -> dict[str, float]:
    """Dollars per million events, by service, for the mix of ``paths`` (shares summing to 1)."""
    total_share = sum(path.share for path in paths.values())
    if not math.isclose(total_share, 1.0, rel_tol=1e-6):
        raise ValueError(f"the paths' shares add up to {total_share}, not 1")
    events = 1e6
    mean = {
        "cpu_ms": sum(p.share * p.cpu_ms for p in paths.values()),
        "calls": sum(p.share * sum(p.calls.values()) for p in paths.values()),
        "publishes": sum(p.share * p.calls.get("Publish", 0) for p in paths.values()),
    }
    wru = sum(
        p.share * (p.write_units if p.write_units is not None else dynamodb_units(p.calls, assume)[0])
        for p in paths.values()
    )
    rru = sum(p.share * dynamodb_units(p.calls, assume)[1] for p in paths.values())
    invocations = events / assume.batch_size
    seconds_per_event = (mean["cpu_ms"] + mean["calls"] * assume.latency_ms_per_call) / 1000
    gb_seconds = events * seconds_per_event * assume.memory_mb / 1024
    sqs_requests = invocations * assume.sqs_requests_per_batch + events * assume.sqs_sends_per_event
    costs = {
        "lambda_compute": gb_seconds * LAMBDA_GB_SECOND,
        "lambda_requests": invocations * LAMBDA_REQUEST,
        "sqs": sqs_requests * SQS_REQUEST,
        "dynamodb_writes": events * wru * DYNAMODB_WRU,
        "dynamodb_reads": events * rru * DYNAMODB_RRU,
        "sns_publishes": events * mean["publishes"] * SNS_PUBLISH,
    }
    costs["total"] = sum(costs.values())
    costs["at_rest_per_month"] = AT_REST_PER_MONTH
    costs["lambda_ms_per_event"] = seconds_per_event * 1000
    costs["wru_per_event"] = wru
    costs["rru_per_event"] = rru
    return costs


def workload(
    measured: dict[str, dict],
    duplicate_share: float = 0.05,
    late_share: float = 0.05,
    write_units: Mapping[str, float] | None = None,
) -> dict[str, Path]:
    """The issue's mix: tasks through CREATED, QUEUED, RUNNING, COMPLETED (a quarter of events notify),
    ``duplicate_share`` of events delivered twice and ``late_share`` arriving after the completion.
    ``measured``: path name -> {"cpu_ms_per_event", "calls_per_event"} as benchmarks/per_event.py gives.
    CREATED and RUNNING events cost what QUEUED does (same calls; RUNNING adds no call).
    ``write_units``: path name -> measured write units per event (benchmarks/measured_writes.py)."""
    fresh = 1 - duplicate_share - late_share

    def path(name: str, share: float) -> Path:
        figures = measured[name]
        return Path(
            share=share,
            cpu_ms=figures["cpu_ms_per_event"],
            calls=dict(figures["calls_per_event"]),
            write_units=None if write_units is None else write_units[name],
        )

    return {
        "queued_new": path("queued_new", fresh * 0.75),
        "completed_notified": path("completed_notified", fresh * 0.25),
        "duplicate": path("duplicate", duplicate_share),
        "late_queued_after_completed": path("late_queued_after_completed", late_share),
    }


def mix_mean(per_path: Mapping[str, float], duplicate_share: float = 0.05, late_share: float = 0.05) -> float:
    """The mean of a per-path figure over ``workload``'s mix (same shares)."""
    fresh = 1 - duplicate_share - late_share
    shares = {
        "queued_new": fresh * 0.75,
        "completed_notified": fresh * 0.25,
        "duplicate": duplicate_share,
        "late_queued_after_completed": late_share,
    }
    return sum(share * per_path[name] for name, share in shares.items())
