"""Merging an event with GetQuantumTask's answer into the audit record."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from task_monitor.domain.enrichment import EnrichmentFailure, to_plain
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor_devkit.builders.task import (
    ENRICHMENT_FIELD_NAMES,
    SV1,
    TASK_ARN,
    description,
    fully_described,
    task_event,
)


def _parsed_description(status: str = "COMPLETED", **fields) -> dict:
    """What botocore hands back: times as datetimes, plus response metadata."""
    answer = description(status, **fields)
    answer["createdAt"] = datetime(2026, 11, 20, 9, 0, 1, 120000, tzinfo=UTC)
    if "endedAt" in answer:
        answer["endedAt"] = datetime(2026, 11, 20, 11, 43, 39, 871000, tzinfo=UTC)
    answer["ResponseMetadata"] = {"HTTPStatusCode": 200}
    return answer


def test_record_keeps_event_facts_and_derives_what_users_ask_for() -> None:
    record = build_record(parse_task_event(task_event("COMPLETED")), None)
    assert record["quantumTaskArn"] == TASK_ARN
    assert record["shots"] == 1000
    assert (record["deviceProvider"], record["deviceName"], record["deviceType"]) == ("ionq", "Forte-1", "qpu")
    assert record["region"] == "us-east-1"
    assert record["resultsUri"] == f"s3://amazon-braket-us-east-1-123456789012/tasks/{record['taskId']}/"
    assert record["timings"] == {"totalSeconds": 9818.751}


def test_every_enrichment_field_is_copied_with_the_api_names() -> None:
    answer = fully_described("FAILED")
    record = build_record(parse_task_event(task_event("FAILED")), answer, enriched_at="2026-11-20T11:43:41.000Z")
    for field in ENRICHMENT_FIELD_NAMES:
        assert record[field] == answer[field], field
    assert record["statusAtEnrichment"] == "FAILED"
    assert record["enrichedAt"] == "2026-11-20T11:43:41.000Z"


def test_queue_position_is_kept_exactly_as_braket_gives_it() -> None:
    for position in ("17", ">2000", "None"):
        answer = description("QUEUED", queueInfo={"queue": "QUANTUM_TASKS_QUEUE", "position": position})
        record = build_record(parse_task_event(task_event("QUEUED")), answer)
        assert record["queueInfo"]["position"] == position


def test_botocore_datetimes_become_plain_strings_and_metadata_goes() -> None:
    record = build_record(parse_task_event(task_event("COMPLETED", endedAt=None)), _parsed_description())
    assert record["endedAt"] == "2026-11-20T11:43:39.871Z"  # taken from the API when the event lacks it
    assert "ResponseMetadata" not in json.dumps(record)
    json.dumps(record)  # only plain values


def test_late_event_keeps_both_its_own_status_and_the_later_one_braket_reports() -> None:
    # Given a QUEUED event processed when Braket already reports COMPLETED
    record = build_record(parse_task_event(task_event("QUEUED")), description("COMPLETED"))
    # Then both facts stay, and a running event's end is not borrowed
    assert (record["status"], record["statusAtEnrichment"]) == ("QUEUED", "COMPLETED")
    assert "endedAt" not in record


def test_failed_enrichment_is_recorded_with_the_error_and_without_invented_fields() -> None:
    failure = EnrichmentFailure("AccessDeniedException", "not authorized")
    record = build_record(parse_task_event(task_event("COMPLETED")), None, enrichment_failure=failure)
    assert record["enrichmentError"] == {"code": "AccessDeniedException", "message": "not authorized"}
    assert "queueInfo" not in record and "statusAtEnrichment" not in record


def test_running_event_knows_its_time_in_queue() -> None:
    record = build_record(parse_task_event(task_event("RUNNING")), None)
    assert record["timings"] == {"queuedSeconds": 9675.88}


def test_finished_task_splits_total_time_with_the_running_event_time() -> None:
    change = parse_task_event(task_event("COMPLETED", device=SV1))
    record = build_record(change, None, running_since="2026-11-20T11:41:17.000Z")
    assert record["timings"] == {"queuedSeconds": 9675.88, "runningSeconds": 142.871, "totalSeconds": 9818.751}


def test_to_plain_converts_nested_datetimes() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert to_plain({"a": [moment], "ResponseMetadata": {}}) == {"a": ["2026-01-02T03:04:05.678Z"]}


def test_running_in_the_same_second_as_creation_counts_as_no_queue_time() -> None:
    # EventBridge times have whole seconds; createdAt has milliseconds
    change = parse_task_event(task_event("RUNNING", time="2026-11-20T09:00:01Z"))
    record = build_record(change, None)
    assert record["timings"] == {"queuedSeconds": 0.0}
