"""The task cost rules, one test each, and the invariants they keep whatever the record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from task_monitor.domain.cost.estimate import estimate_task_cost, money
from task_monitor.domain.cost.price_table import PriceTable

FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
PRICES = PriceTable.shipped()
RESERVATION = "arn:aws:braket:us-east-1:123456789012:reservation/5b7a1e3c-0000-4000-8000-000000000001"


def qpu_record(status: str = "COMPLETED", shots: int = 100, **fields: Any) -> dict[str, Any]:
    return {
        "status": status,
        "shots": shots,
        "deviceArn": FORTE,
        "region": "us-east-1",
        "deviceProvider": "ionq",
        "deviceName": "Forte-1",
        "deviceType": "qpu",
        **fields,
    }


def sv1_record(status: str = "COMPLETED", **fields: Any) -> dict[str, Any]:
    return {
        "status": status,
        "shots": 1000,
        "deviceArn": SV1,
        "region": "eu-west-2",
        "deviceProvider": "amazon",
        "deviceName": "sv1",
        "deviceType": "quantum-simulator",
        **fields,
    }


def test_a_qpu_task_pays_the_task_fee_and_its_successful_shots() -> None:
    estimate = estimate_task_cost(qpu_record(numSuccessfulShots=90), PRICES)
    assert estimate == {
        "amountUsd": "7.50",  # 0.30 + 0.08 x 90
        "maxAmountUsd": "8.30",  # 0.30 + 0.08 x 100 requested: what a spending limit holds
        "shots": 90,
        "shotsBasis": "successful",
        # The device, region, shots and date are fields (the record's, the estimate's): not repeated here.
        "basis": "$0.30 per task + $0.08 per shot [A]",
        "priceTableDate": "2026-11-15",
        "approximate": False,
    }


def test_before_the_successful_shots_are_known_the_requested_shots_are_charged_approximately() -> None:
    for status in ("CREATED", "QUEUED", "RUNNING", "CANCELLING", "COMPLETED"):
        estimate = estimate_task_cost(qpu_record(status), PRICES)
        assert (estimate["amountUsd"], estimate["maxAmountUsd"]) == ("8.30", "8.30"), status
        assert (estimate["shots"], estimate["shotsBasis"], estimate["approximate"]) == (100, "requested", True)


def test_failed_and_cancelled_tasks_cost_nothing_even_on_an_unknown_device() -> None:
    for status in ("FAILED", "CANCELLED"):
        for record in (qpu_record(status), qpu_record(status, deviceArn="arn:aws:braket:us-east-1::device/qpu/x/Y")):
            estimate = estimate_task_cost(record, PRICES)
            assert (estimate["amountUsd"], estimate["maxAmountUsd"], estimate["approximate"]) == ("0", "0", False)
            assert estimate["basis"].startswith(f"{status}: ")


def test_a_reservation_task_pays_no_task_or_shot_fee() -> None:
    record = qpu_record(associations=[{"arn": RESERVATION, "type": "RESERVATION_TIME_WINDOW_ARN"}])
    estimate = estimate_task_cost(record, PRICES)
    assert (estimate["amountUsd"], estimate["maxAmountUsd"]) == ("0", "0")
    assert RESERVATION in estimate["basis"] and "billed by the hour" in estimate["basis"]


def test_another_association_is_not_a_reservation() -> None:
    record = qpu_record(associations=[{"arn": "arn:aws:x", "type": "SOMETHING_ELSE"}])
    assert estimate_task_cost(record, PRICES)["amountUsd"] == "8.30"


def test_a_successful_count_read_before_the_task_completed_is_not_final() -> None:
    running = estimate_task_cost(qpu_record("RUNNING", numSuccessfulShots=0), PRICES)
    assert (running["amountUsd"], running["shotsBasis"]) == ("8.30", "requested")
    # A late event of a task GetQuantumTask already reports COMPLETED: its count is final.
    late = estimate_task_cost(qpu_record("RUNNING", numSuccessfulShots=50, statusAtEnrichment="COMPLETED"), PRICES)
    assert (late["amountUsd"], late["shotsBasis"]) == ("4.30", "successful")


def test_a_program_set_pays_one_task_fee_and_its_total_shots() -> None:
    record = qpu_record(
        shots=1200,
        numSuccessfulShots=1200,
        actionMetadata={"actionType": "braket.ir.openqasm.program_set", "programCount": 3, "executableCount": 12},
    )
    estimate = estimate_task_cost(record, PRICES)
    assert estimate["amountUsd"] == "96.30"  # 0.30 once + 0.08 x 1200
    assert "one for the program set of 3 programs, shots over its 12 executables" in estimate["basis"]


def test_a_hybrid_jobs_task_is_priced_under_the_job_family() -> None:
    job = "arn:aws:braket:us-east-1:123456789012:job/my-job"
    estimate = estimate_task_cost(qpu_record(jobArn=job, numSuccessfulShots=100), PRICES)
    assert estimate["amountUsd"] == "8.30"
    assert estimate["basis"].startswith("a hybrid job's task: ") and "[I]" in estimate["basis"]
    # Without a jobQpuTask entry the task is unpriced, not priced on demand.
    on_demand_only = PriceTable(
        date=PRICES.date, source="x", entries={k: v for k, v in PRICES.entries.items() if k[0] == "qpuTask"}
    )
    assert "amountUsd" not in estimate_task_cost(qpu_record(jobArn=job), on_demand_only)


def test_a_simulator_pays_its_running_time_by_the_millisecond_at_least_three_seconds() -> None:
    estimate = estimate_task_cost(sv1_record(timings={"runningSeconds": 12.3456, "totalSeconds": 20.0}), PRICES)
    assert estimate["amountUsd"] == "0.015433"  # 0.075 / 60 x 12.346 = 0.0154325, half up
    assert estimate["maxAmountUsd"] == estimate["amountUsd"]
    assert estimate["approximate"] is True
    assert "running time" in estimate["basis"] and "x 12.346 s" in estimate["basis"]
    short = estimate_task_cost(sv1_record(timings={"runningSeconds": 0.5}), PRICES)
    assert short["amountUsd"] == "0.00375"  # the 3 s minimum
    assert "x 3 s" in short["basis"]


def test_a_simulator_whose_running_event_was_not_seen_pays_creation_to_end() -> None:
    estimate = estimate_task_cost(sv1_record(timings={"totalSeconds": 60}), PRICES)
    assert estimate["amountUsd"] == "0.075"
    assert "queueing included" in estimate["basis"]


def test_a_running_simulator_shows_the_minimum_so_far() -> None:
    estimate = estimate_task_cost(sv1_record("RUNNING"), PRICES)
    assert estimate["amountUsd"] == "0.00375" and "not ended yet" in estimate["basis"]


def test_an_unknown_device_has_no_amount_and_says_why() -> None:
    device = "arn:aws:braket:us-east-1::device/qpu/nobody/Nothing"
    estimate = estimate_task_cost(qpu_record(deviceArn=device, deviceProvider="nobody", deviceName="Nothing"), PRICES)
    assert "amountUsd" not in estimate and "maxAmountUsd" not in estimate
    assert (
        estimate["basis"]
        == f"price unknown: no qpuTask price for {device} in us-east-1 in the price table of 2026-11-15"
    )
    assert estimate["priceTableDate"] == "2026-11-15"


def test_money_is_rounded_half_up_to_a_millionth_with_two_decimals_at_least() -> None:
    assert money(Decimal("8.3")) == "8.30"
    assert money(Decimal("0.0000005")) == "0.000001"
    assert money(Decimal("0.00000049")) == "0.00"
    assert money(Decimal("12")) == "12.00"
    assert money(Decimal("0")) == "0"


@given(
    requested=st.integers(0, 100_000),
    successful_share=st.floats(0, 1),
    status=st.sampled_from(["CREATED", "QUEUED", "RUNNING", "CANCELLING", "COMPLETED", "FAILED", "CANCELLED"]),
    device=st.sampled_from(sorted({k[1] for k in PRICES.entries if k[0] == "qpuTask"})),
    known=st.booleans(),
)
def test_the_amount_never_exceeds_the_maximum_and_is_zero_when_failed(
    requested: int, successful_share: float, status: str, device: str, known: bool
) -> None:
    fields: dict[str, Any] = {"deviceArn": device, "region": device.split(":")[3], "statusAtEnrichment": "COMPLETED"}
    if known:
        fields["numSuccessfulShots"] = int(requested * successful_share)
    estimate = estimate_task_cost(qpu_record(status, requested, **fields), PRICES)
    amount, maximum = Decimal(estimate["amountUsd"]), Decimal(estimate["maxAmountUsd"])
    assert Decimal(0) <= amount <= maximum
    if status in ("FAILED", "CANCELLED"):
        assert amount == maximum == 0
    else:
        assert amount >= Decimal("0.30")  # the task fee, at least
    assert estimate["shotsBasis"] == ("successful" if known else "requested")


@given(shots=st.integers(0, 50_000), more=st.integers(0, 50_000), seconds=st.floats(0, 1e5), later=st.floats(0, 1e5))
def test_more_shots_or_a_longer_run_never_costs_less(shots: int, more: int, seconds: float, later: float) -> None:
    def qpu(n: int) -> Decimal:
        return Decimal(estimate_task_cost(qpu_record(shots=shots + more, numSuccessfulShots=n), PRICES)["amountUsd"])

    assert qpu(shots) <= qpu(shots + more)

    def sim(s: float) -> Decimal:
        return Decimal(estimate_task_cost(sv1_record(timings={"runningSeconds": s}), PRICES)["amountUsd"])

    assert Decimal("0.00375") <= sim(seconds) <= sim(seconds + later)
