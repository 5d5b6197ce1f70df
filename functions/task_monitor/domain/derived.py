"""What a task record's reader derives rather than reads: the one place that says how.

A task record carries fields that follow from others: the task id, account and region from its ARN;
the device's provider, name and type from the device ARN; ``resultsUri`` from the output location;
``timings.totalSeconds`` from creation and end; an estimate's billed ``shots`` from its
``shotsBasis`` and ``maxAmountUsd`` when it equals ``amountUsd``; the status Braket reported when
it is the event's own. The audit table stores a task record without them (``without_derived``: a
smaller item, under DynamoDB's 1 KB write unit, docs/table-design.md), and every reader puts them
back with ``with_derived`` (the audit log's records, notifications, the CLI). Items written before
carry the fields themselves: a stored value always wins, so they read as they always did.

Only a value equal to what ``derived_fields`` gives is dropped, so ``with_derived(without_derived(r))``
is ``with_derived(r)`` for any record (a property test checks it on generated records).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from task_monitor.domain.arns import parse_device_arn, parse_task_arn
from task_monitor.domain.status import is_terminal
from task_monitor.domain.timefmt import seconds_between

# Top-level fields that derived_fields may give (nested ones: timings.totalSeconds,
# estimatedCost.shots and estimatedCost.maxAmountUsd).
DERIVED_FIELDS = (
    "taskId",
    "accountId",
    "region",
    "deviceProvider",
    "deviceName",
    "deviceType",
    "resultsUri",
    "statusAtEnrichment",
)


def derived_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """Every derivable field of a task record, worked out from the fields it always stores."""
    derived: dict[str, Any] = {}
    task = parse_task_arn(str(record.get("quantumTaskArn", "")))
    if task is not None:
        derived.update(taskId=task.task_id, accountId=task.account, region=task.region)
    device = parse_device_arn(str(record.get("deviceArn", "")))
    if device is not None:
        derived.update(deviceProvider=device.provider, deviceName=device.name, deviceType=device.kind)
    uri = results_uri(record.get("outputS3Bucket"), record.get("outputS3Directory"))
    if uri is not None:
        derived["resultsUri"] = uri
    # GetQuantumTask always reports a status, so an enriched record names one: the event's, unless stored.
    if record.get("enrichedAt") is not None and record.get("status") is not None:
        derived["statusAtEnrichment"] = record["status"]
    total = _total_seconds(record)
    if total is not None:
        derived["timings"] = {**(record.get("timings") or {}), "totalSeconds": total}
    estimate = record.get("estimatedCost")
    if isinstance(estimate, Mapping):
        derived["estimatedCost"] = {**_estimate_derived(record, estimate), **estimate}
    return derived


def with_derived(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as readers see it: derived fields added where it does not store them."""
    derived = derived_fields(record)
    full = {**derived, **record}
    if "timings" in derived and isinstance(record.get("timings"), Mapping):
        full["timings"] = {**derived["timings"], **record["timings"]}
    if "estimatedCost" in derived:
        full["estimatedCost"] = derived["estimatedCost"]
    return full


def without_derived(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as stored: what ``with_derived`` would give back identically is left out."""
    derived = derived_fields(record)
    kept = {name: value for name, value in record.items() if name not in DERIVED_FIELDS or value != derived.get(name)}
    timings = record.get("timings")
    if isinstance(timings, Mapping) and "totalSeconds" in timings and timings["totalSeconds"] == _total_seconds(record):
        kept["timings"] = {name: value for name, value in timings.items() if name != "totalSeconds"}
    estimate = record.get("estimatedCost")
    if isinstance(estimate, Mapping):
        computed = _estimate_derived(record, estimate)
        kept["estimatedCost"] = {
            name: value for name, value in estimate.items() if name not in computed or computed[name] != value
        }
    return kept


def results_uri(bucket: str | None, directory: str | None) -> str | None:
    """Where Braket writes the task's results, as an ``s3://`` URI."""
    if not bucket:
        return None
    return f"s3://{bucket}/{directory.strip('/')}/" if directory else f"s3://{bucket}/"


def _total_seconds(record: Mapping[str, Any]) -> float | None:
    if "quantumTaskArn" not in record or not is_terminal(str(record.get("status", ""))):
        return None
    return seconds_between(record.get("createdAt"), record.get("endedAt"))


def _estimate_derived(record: Mapping[str, Any], estimate: Mapping[str, Any]) -> dict[str, Any]:
    """An estimate's billed shots (successful or requested, as its shotsBasis says) and its maximum
    when it is the amount (no maximum stored, an amount stored)."""
    derived: dict[str, Any] = {}
    basis = estimate.get("shotsBasis")
    shots = record.get("numSuccessfulShots") if basis == "successful" else record.get("shots")
    if basis in ("successful", "requested") and isinstance(shots, int) and not isinstance(shots, bool):
        derived["shots"] = shots
    if "amountUsd" in estimate:
        derived["maxAmountUsd"] = estimate["amountUsd"]
    return derived
