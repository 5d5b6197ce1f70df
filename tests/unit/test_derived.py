"""What a task record's reader derives (domain.derived): left out of the stored item only when it
comes back identically, so a record read back is the record written (issue 15, docs/table-design.md)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from task_monitor.domain.cost.price_table import PriceTable
from task_monitor.domain.derived import DERIVED_FIELDS, derived_fields, with_derived, without_derived
from task_monitor.domain.enrichment import EnrichmentFailure
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.notification import render_notification
from task_monitor.domain.kinds.task.record import build_record
from task_monitor_devkit.builders.task import SV1, TASK_ARN, description, fully_described, task_event

PRICES = PriceTable.shipped()
STATUSES = ("CREATED", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")


def _built(status: str, **options: Any) -> dict[str, Any]:
    return dict(
        build_record(
            parse_task_event(task_event(status, **options.pop("event", {}))),
            options.pop("description", description(status)),
            prices=PRICES,
            **options,
        )
    )


@pytest.mark.parametrize("status", STATUSES)
def test_a_built_record_stored_without_its_derived_fields_reads_back_whole(status: str) -> None:
    record = _built(status, running_since="2026-11-20T11:41:17.000Z", enriched_at="2026-11-20T11:43:41.000Z")
    stored = without_derived(record)
    assert with_derived(stored) == record
    assert not set(DERIVED_FIELDS) & set(stored)  # all of them derivable from what is kept
    assert "totalSeconds" not in stored.get("timings", {})
    assert {"shots", "maxAmountUsd"}.isdisjoint(stored["estimatedCost"]) or status == "COMPLETED"


def test_a_record_whose_fields_disagree_with_its_arns_keeps_them() -> None:
    record = {**_built("QUEUED"), "taskId": "not-the-arns", "region": "eu-west-2", "deviceName": "Other"}
    stored = without_derived(record)
    assert {"taskId", "region", "deviceName"} <= set(stored)
    assert with_derived(stored) == record


def test_the_status_braket_reported_is_kept_when_it_is_not_the_events() -> None:
    late = _built("QUEUED", description=description("COMPLETED"), enriched_at="2026-11-20T11:50:00.000Z")
    assert late["statusAtEnrichment"] == "COMPLETED"
    assert without_derived(late)["statusAtEnrichment"] == "COMPLETED"
    unenriched = _built("QUEUED", description=None, enrichment_failure=EnrichmentFailure("Throttling", "slow"))
    assert "statusAtEnrichment" not in derived_fields(unenriched)  # never invented without a description


def test_a_maximum_above_the_amount_and_a_simulators_estimate_are_kept() -> None:
    record = _built("COMPLETED", description=description("COMPLETED", numSuccessfulShots=90))
    stored = without_derived(record)["estimatedCost"]
    assert stored["maxAmountUsd"] != stored["amountUsd"] and "shots" not in stored
    simulator = _built("COMPLETED", event={"device": SV1}, description=description("COMPLETED", device=SV1))
    assert with_derived(without_derived(simulator)) == simulator


def test_a_stored_record_is_notified_as_the_whole_one() -> None:
    record = _built("COMPLETED", description=fully_described("COMPLETED"))
    assert render_notification(without_derived(record)) == render_notification(record)  # type: ignore[arg-type]


_TIMES = st.sampled_from([None, "2026-11-20T09:00:01.120Z", "2026-11-20T11:43:39.871Z", "2026-11-19T00:00:00Z"])


def _optional(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), values)


_RECORDS = st.fixed_dictionaries(
    {
        "quantumTaskArn": st.sampled_from([TASK_ARN, "arn:aws:braket:eu-west-2:210987654321:quantum-task/x1", "junk"]),
        "deviceArn": st.sampled_from([SV1, "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1", "junk"]),
        "status": st.sampled_from(STATUSES),
    },
    optional={
        "taskId": st.sampled_from(["x1", TASK_ARN.rsplit("/", 1)[1], "other"]),
        "accountId": st.sampled_from(["123456789012", "210987654321"]),
        "region": st.sampled_from(["us-east-1", "eu-west-2", ""]),
        "deviceProvider": st.sampled_from(["amazon", "ionq"]),
        "deviceName": st.sampled_from(["sv1", "Forte-1"]),
        "deviceType": st.sampled_from(["qpu", "quantum-simulator"]),
        "outputS3Bucket": st.sampled_from(["b", ""]),
        "outputS3Directory": st.sampled_from(["tasks/x1", "/d/", ""]),
        "resultsUri": st.sampled_from(["s3://b/tasks/x1/", "s3://b/", "elsewhere"]),
        "enrichedAt": _TIMES,
        "statusAtEnrichment": st.sampled_from([*STATUSES, None]),
        "createdAt": _TIMES,
        "endedAt": _TIMES,
        "shots": st.integers(0, 2000),
        "numSuccessfulShots": _optional(st.integers(0, 2000)),
        "timings": st.dictionaries(
            st.sampled_from(["queuedSeconds", "runningSeconds", "totalSeconds"]), st.floats(0, 1e6), max_size=3
        ),
        "estimatedCost": st.dictionaries(
            st.sampled_from(["amountUsd", "maxAmountUsd", "shots", "shotsBasis", "basis"]),
            st.one_of(st.sampled_from(["8.30", "7.50", "successful", "requested"]), st.integers(0, 2000)),
        ),
    },
)


@given(_RECORDS)
def test_leaving_derived_fields_out_loses_nothing(record: dict[str, Any]) -> None:
    """Whatever the record (consistent with its ARNs or not), reading the stored form back gives the
    record as a reader saw it before: every stored value wins, only identical values were left out."""
    stored = without_derived(record)
    assert with_derived(stored) == with_derived(record)
    read = with_derived(stored)
    assert all(read[name] == value for name, value in record.items() if name not in ("timings", "estimatedCost"))
    for nested in ("timings", "estimatedCost"):
        assert record.get(nested, {}).items() <= read.get(nested, {}).items()
