"""The ``backfill`` arrival: small, named, never a caller's evidence, never a start time."""

from __future__ import annotations

import pytest

from task_monitor.adapters.audit_items import TASK_ITEMS, timings_with_running
from task_monitor.domain.arrival import (
    UNVOUCHED_ARRIVALS,
    Arrival,
    stored_arrival_dates_its_status,
    stored_arrival_joins_callers,
)
from task_monitor.domain.kinds.job.event import parse_job_event
from task_monitor.domain.kinds.job.record import build_job_record
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor_devkit.builders.job import job_event
from task_monitor_devkit.builders.task import task_event

OPERATOR = "arn:aws:sts::123456789012:assumed-role/Operator/dana"


def test_a_backfill_names_its_operator_and_nothing_else() -> None:
    arrival = Arrival.backfill(OPERATOR)
    assert arrival.field() == {"via": "backfill", "operator": OPERATOR}
    assert not arrival.joins_callers
    assert not stored_arrival_joins_callers({"arrival": arrival.field()})
    assert "backfill" not in UNVOUCHED_ARRIVALS  # a backfill brings no API call to count as unvouched


def test_a_backfill_without_an_operator_or_with_a_message_is_refused() -> None:
    with pytest.raises(ValueError, match="must name its operator"):
        Arrival("backfill")
    with pytest.raises(ValueError, match="no message"):
        Arrival("backfill", message_id="m-1", operator=OPERATOR)


@pytest.mark.parametrize(
    ("arrival", "dated"),
    [
        (Arrival.backfill(OPERATOR), False),
        (Arrival.direct(), True),
        (Arrival.replay(OPERATOR), True),
        (Arrival.from_queue("m", "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sqs:us-east-1:123456789012:q"), True),
    ],
)
def test_only_a_backfill_s_time_is_not_when_its_status_began(arrival: Arrival, dated: bool) -> None:
    assert stored_arrival_dates_its_status({"arrival": arrival.field()}) is dated
    assert stored_arrival_dates_its_status({}) is True  # records from before arrivals: as they were


def test_a_backfilled_running_task_measures_no_queue_wait_but_a_live_one_does() -> None:
    change = parse_task_event(task_event("RUNNING"))
    live = build_record(change, None, arrival=Arrival.direct().field())
    backfilled = build_record(change, None, arrival=Arrival.backfill(OPERATOR).field())
    assert live["timings"]["queuedSeconds"] > 0
    assert "queuedSeconds" not in backfilled.get("timings", {})


def test_a_late_backfilled_running_record_does_not_split_an_ended_task_s_time() -> None:
    change = parse_task_event(task_event("RUNNING"))
    latest = TASK_ITEMS.latest_item(build_record(parse_task_event(task_event("COMPLETED")), None))
    backfilled = build_record(change, None, arrival=Arrival.backfill(OPERATOR).field())
    live = build_record(change, None, arrival=Arrival.direct().field())
    assert timings_with_running(backfilled, latest) is None
    assert timings_with_running(live, latest) is not None


def test_a_backfilled_running_job_takes_its_start_from_braket_not_from_its_synthetic_time() -> None:
    event = job_event("RUNNING")
    event["detail"].pop("startedAt", None)
    change = parse_job_event(event)
    backfilled = build_job_record(change, None, arrival=Arrival.backfill(OPERATOR).field())
    live = build_job_record(change, None, arrival=Arrival.direct().field())
    assert "queuedSeconds" not in backfilled.get("timings", {})
    assert "queuedSeconds" in live.get("timings", {})
