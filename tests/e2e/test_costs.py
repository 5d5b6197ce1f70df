"""Costs end to end through ``lambda_handler``: the estimate on every stored item and the latest state,
in the published JSON, the email's "Estimated cost" line and the ``estimatedCostUsd`` attribute."""

from __future__ import annotations

from typing import Any

from task_monitor_devkit.builders.task import FORTE, SV1, description, lifecycle
from task_monitor_devkit.builders.task import task_arn as _task_arn

RESERVATION = "arn:aws:braket:us-east-1:123456789012:reservation/5b7a1e3c-0000-4000-8000-000000000001"
UNKNOWN_DEVICE = "arn:aws:braket:us-east-1::device/qpu/nobody/Nothing"


def task_arn(number: int) -> str:
    return _task_arn(task_id=f"5b0e7a8c-3f41-4a52-9d6e-1c2b3a4d5e{number:02d}")


def _run(aws, arn: str, device: str, final: str = "COMPLETED", **final_fields: Any) -> None:
    """The task's lifecycle, GetQuantumTask answering each event with the event's status."""
    for event in lifecycle(arn=arn, device=device, final=final):
        status = event["detail"]["status"]
        fields = final_fields if status == final else {}
        aws.braket.put_task(description(status, arn=arn, device=device, **fields))
        invocation = aws.invoke(event)
        if invocation.error:
            raise invocation.error


def _published(aws) -> tuple[dict[str, Any], Any]:
    (envelope,) = aws.subscriber_messages()
    (published,) = aws.published
    return envelope, published


def test_a_qpu_task_with_fewer_successful_shots_costs_them_and_keeps_the_requested_maximum(embedded) -> None:
    arn = task_arn(1)
    _run(embedded, arn, FORTE, numSuccessfulShots=900)
    log = embedded.audit_log()
    history = log.history(arn)
    # Each event's item carries the estimate of its moment: requested shots until the task completed.
    assert [item["estimatedCost"].get("amountUsd") for item in history] == ["80.30", "80.30", "80.30", "72.30"]
    assert [item["estimatedCost"]["shotsBasis"] for item in history] == ["requested"] * 3 + ["successful"]
    latest = log.latest(arn)["estimatedCost"]
    assert latest == {
        "amountUsd": "72.30",
        "maxAmountUsd": "80.30",
        "shots": 900,
        "shotsBasis": "successful",
        "basis": "$0.30 per task + $0.08 per shot [A]",  # the device, shots and date are fields
        "priceTableDate": "2026-11-15",
        "approximate": False,
    }
    envelope, published = _published(embedded)
    assert envelope["Record"]["estimatedCost"] == latest
    assert envelope["MessageAttributes"]["estimatedCostUsd"] == {"Type": "Number", "Value": "72.30"}
    line = f"Estimated cost: $72.30 — {latest['basis']}, 900 successful shots, prices of 2026-11-15."
    assert line in published.email_text


def test_a_failed_task_costs_nothing(embedded) -> None:
    arn = task_arn(2)
    _run(embedded, arn, FORTE, final="FAILED", failureReason="Device calibration drifted")
    latest = embedded.audit_log().latest(arn)["estimatedCost"]
    assert (latest["amountUsd"], latest["maxAmountUsd"], latest["approximate"]) == ("0", "0", False)
    envelope, published = _published(embedded)
    assert envelope["MessageAttributes"]["estimatedCostUsd"]["Value"] == "0"
    assert "Estimated cost: $0 — FAILED: Braket does not charge failed or cancelled tasks" in published.email_text


def test_a_simulator_task_costs_its_running_time_approximately(embedded) -> None:
    arn = task_arn(3)
    _run(embedded, arn, SV1)
    latest = embedded.audit_log().latest(arn)
    assert latest["timings"]["runningSeconds"] == 142.871  # RUNNING to COMPLETED, from the events
    cost = latest["estimatedCost"]
    assert cost["amountUsd"] == "0.178589"  # 0.075 / 60 x 142.871 = 0.17858875, half up
    assert cost["approximate"] is True and "running time" in cost["basis"]
    _, published = _published(embedded)
    assert "Estimated cost: ≈ $0.178589 (approximate) — $0.075 per minute x 142.871 s" in (published.email_text)


def test_a_reservation_task_pays_no_task_or_shot_fee(embedded) -> None:
    arn = task_arn(4)
    reservation = [{"arn": RESERVATION, "type": "RESERVATION_TIME_WINDOW_ARN"}]
    for event in lifecycle(arn=arn, device=FORTE):
        embedded.braket.put_task(description(event["detail"]["status"], arn=arn, associations=reservation))
        embedded.invoke(event)
    latest = embedded.audit_log().latest(arn)["estimatedCost"]
    assert (latest["amountUsd"], latest["maxAmountUsd"]) == ("0", "0")
    assert f"run in reservation {RESERVATION}" in latest["basis"] and "billed by the hour" in latest["basis"]


def test_an_unknown_device_has_no_amount_and_no_cost_attribute(embedded) -> None:
    arn = task_arn(5)
    _run(embedded, arn, UNKNOWN_DEVICE)
    latest = embedded.audit_log().latest(arn)["estimatedCost"]
    assert "amountUsd" not in latest and "maxAmountUsd" not in latest
    assert latest["basis"].startswith(f"price unknown: no qpuTask price for {UNKNOWN_DEVICE} in us-east-1")
    envelope, published = _published(embedded)
    assert "estimatedCostUsd" not in envelope["MessageAttributes"]
    assert "Estimated cost: unknown — price unknown" in published.email_text


def test_with_the_option_on_a_simulator_is_priced_on_its_result_objects_execution_duration(
    embedded, monkeypatch
) -> None:
    import json

    import boto3

    arn = task_arn(6)
    task_id = arn.rsplit("/", 1)[1]
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="amazon-braket-us-east-1-123456789012")
    result = {"additionalMetadata": {"simulatorMetadata": {"executionDuration": 42000}}}
    s3.put_object(
        Bucket="amazon-braket-us-east-1-123456789012", Key=f"tasks/{task_id}/results.json", Body=json.dumps(result)
    )
    monkeypatch.setenv("SIMULATOR_EXACT_DURATION", "true")
    embedded.load_handler()  # a cold start with the option on
    _run(embedded, arn, SV1)
    latest = embedded.audit_log().latest(arn)
    assert latest["simulatorExecution"] == {"durationMs": 42000}
    cost = latest["estimatedCost"]
    assert (cost["amountUsd"], cost["approximate"]) == ("0.0525", False)  # 0.075 x 42 s / 60
    _, published = _published(embedded)
    assert "Estimated cost: $0.0525 — $0.075 per minute x 42 s (executionDuration of the result" in (
        published.email_text
    )
