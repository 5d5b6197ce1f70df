"""Backfill: tasks and jobs found with SearchQuantumTasks/SearchJobs, recorded through the live pipeline.

On the embedded AWS (moto's DynamoDB, SNS and SQS) with the Braket emulator answering the searches
(pages, filters, regions, throttling). What must hold: every region and page is read; each found task
or job is recorded once, as a backfill, with a deterministic id (a second run records nothing); a
backfilled task later seen live is one task whose latest state never moves back; nothing is announced
unless asked; requests are held to their rates.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from task_monitor.settings import Settings
from task_monitor_cli.ops import backfill
from task_monitor_devkit.builders.job import job_arn, job_description, job_id_for
from task_monitor_devkit.builders.task import GARNET, description, task_arn, task_event
from task_monitor_devkit.embedded import DEMO_OPERATOR

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
REGIONS = ("us-east-1", "eu-north-1")


def _id(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def _task(
    number: int, status: str = "COMPLETED", *, region: str = "us-east-1", created: str = "2026-11-20T09:00:01.120Z"
):
    device = GARNET if region == "eu-north-1" else description()["deviceArn"]
    return description(status, arn=task_arn(region=region, task_id=_id(number)), device=device, createdAt=created)


def _put_world(aws) -> None:
    """Five recent tasks in us-east-1, two in eu-north-1, one old task (before SINCE), and one job."""
    for number in range(5):
        aws.braket.put_task(_task(number, "COMPLETED" if number % 2 else "FAILED"))
    for number in range(5, 7):
        aws.braket.put_task(_task(number, region="eu-north-1"))
    aws.braket.put_task(_task(9, created="2026-10-01T00:00:00.000Z"))
    aws.braket.put_job(job_description("COMPLETED", arn=job_arn(job_id_for("backfilled"))))


def _run(aws, *, notify: bool = False, regions=REGIONS, limits: backfill.Limits | None = None, session=None, **kwargs):
    run = backfill.Backfill(
        session or botocore.session.get_session(),
        Settings.from_environment(),
        operator=DEMO_OPERATOR,
        notify=notify,
        limits=limits or backfill.Limits(page_size=2),
        **kwargs,
    )
    steps = list(run.run(SINCE, regions))
    return run.summary, steps


def _items(aws) -> list[dict]:
    return aws.dynamodb.scan(TableName="braket-task-audit")["Items"]


def test_every_region_and_page_is_read_and_each_task_and_job_recorded_as_a_backfill(embedded) -> None:
    _put_world(embedded)
    summary, steps = _run(embedded)
    # Pages of two: us-east-1 has 5 recent tasks (3 pages) and 1 job; eu-north-1 2 tasks and no job
    assert [(s.region, s.operation, s.page, s.found) for s in steps] == [
        ("us-east-1", "SearchQuantumTasks", 1, 2),
        ("us-east-1", "SearchQuantumTasks", 2, 4),
        ("us-east-1", "SearchQuantumTasks", 3, 5),
        ("us-east-1", "SearchJobs", 1, 1),
        ("eu-north-1", "SearchQuantumTasks", 1, 2),
        ("eu-north-1", "SearchJobs", 1, 0),
    ]
    assert (summary.total("task"), summary.total("job"), summary.total("recorded"), summary.total("failed")) == (
        7,
        1,
        8,
        0,
    )
    assert summary.regions["us-east-1"].pages == 4 and summary.regions["eu-north-1"].pages == 2
    searches = [call for call in embedded.braket.calls if call.operation.startswith("Search")]
    assert {(call.region, call.status_code) for call in searches} == {("us-east-1", 200), ("eu-north-1", 200)}
    log = embedded.audit_log()
    old = task_arn(task_id=_id(9))
    assert log.history(old) == []  # created before --since: not found
    for number in range(7):
        arn = task_arn(region="eu-north-1" if number >= 5 else "us-east-1", task_id=_id(number))
        (item,) = log.history(arn)
        assert item["arrival"] == {"via": "backfill", "operator": DEMO_OPERATOR}
        assert item["eventId"].startswith("backfill-") and "createdBy" not in item
        assert log.latest(arn)["status"] == item["status"]
    (job_item,) = log.history(job_arn(job_id_for("backfilled")))
    assert job_item["arrival"]["via"] == "backfill" and job_item["status"] == "COMPLETED"


def test_a_second_backfill_records_nothing_new(embedded) -> None:
    _put_world(embedded)
    _run(embedded)
    before = _items(embedded)
    summary, _ = _run(embedded)
    assert summary.total("recorded") == 0 and summary.total("duplicate") == 8
    assert sorted(map(str, _items(embedded))) == sorted(map(str, before))


def test_nothing_is_announced_unless_notify_is_asked(embedded) -> None:
    _put_world(embedded)
    _run(embedded)
    assert embedded.published == [] and embedded.subscriber_messages() == []
    # With notify, the ended tasks and job are announced as live ones would be (once each)
    embedded.braket.put_task(_task(7, "FAILED"))
    summary, _ = _run(embedded, notify=True)
    assert summary.total("recorded") == 1
    (message,) = embedded.subscriber_messages()
    assert message["Record"]["quantumTaskArn"] == task_arn(task_id=_id(7))
    assert message["Record"]["arrival"]["via"] == "backfill"


def test_throttling_is_retried_by_botocore_and_the_search_goes_on(embedded, sleeps) -> None:
    _put_world(embedded)
    embedded.braket.fail_next("ThrottlingException", times=2)  # the first search's first two attempts
    summary, _ = _run(embedded, regions=("us-east-1",))
    codes = [call.error_code for call in embedded.braket.calls if call.operation == "SearchQuantumTasks"]
    assert codes == ["ThrottlingException", "ThrottlingException", None, None, None]
    assert summary.total("recorded") == 6 and summary.failures == []
    assert len([pause for pause in sleeps if pause > 0]) >= 2  # botocore's backoff between attempts


def test_throttling_past_every_retry_stops_with_one_line_naming_the_fix(embedded) -> None:
    _put_world(embedded)
    embedded.braket.fail_next("ThrottlingException", times=50)
    with pytest.raises(backfill.BackfillError, match="lower --search-rate") as stopped:
        _run(embedded, regions=("us-east-1",))
    assert "\n" not in str(stopped.value)


def test_access_denied_names_the_permission(embedded) -> None:
    embedded.braket.fail_next("AccessDeniedException")
    with pytest.raises(backfill.BackfillError, match="grant braket:SearchQuantumTasks"):
        _run(embedded, regions=("us-east-1",))


def test_a_backfilled_task_later_seen_live_is_one_task_whose_latest_state_never_moves_back(embedded) -> None:
    # Given a task backfilled while RUNNING (a search says it runs, not since when)
    arn = task_arn(task_id=_id(3))
    embedded.braket.put_task(_task(3, "RUNNING"))
    _run(embedded, regions=("us-east-1",))
    log = embedded.audit_log()
    assert log.latest(arn)["status"] == "RUNNING"
    assert "queuedSeconds" not in log.latest(arn).get("timings", {})  # no queue wait from a synthetic time
    # When its live events arrive: COMPLETED, then a late RUNNING
    embedded.braket.update_task(arn, status="COMPLETED", endedAt="2026-11-20T11:43:39.871Z")
    for event in (task_event("COMPLETED", arn=arn), task_event("RUNNING", arn=arn)):
        embedded.deliver(event)
        assert [batch.retried for batch in embedded.drain()] == [[]]
    # Then one task: the latest state is COMPLETED, and the history shows both arrivals
    latest = log.latest(arn)
    history = log.history(arn)
    # (a task's latest state leaves the arrival to its event's item: the last event's is the live one)
    assert latest["status"] == "COMPLETED" and history[-1]["arrival"]["via"] == "queue"
    assert sorted((item["status"], item["arrival"]["via"]) for item in history) == [
        ("COMPLETED", "queue"),
        ("RUNNING", "backfill"),
        ("RUNNING", "queue"),
    ]
    # And the live RUNNING, not the backfilled one, dates the start
    assert latest["timings"]["queuedSeconds"] == pytest.approx(9675.88, abs=0.01)
    # And a backfill now records its COMPLETED state as another arrival, without moving anything back
    summary, _ = _run(embedded, regions=("us-east-1",))
    assert summary.total("recorded-late") + summary.total("recorded") == 1
    assert log.latest(arn)["status"] == "COMPLETED"


def test_a_task_backfilled_as_ended_is_not_moved_back_by_its_late_live_events(embedded) -> None:
    arn = task_arn(task_id=_id(4))
    embedded.braket.put_task(_task(4, "COMPLETED"))
    _run(embedded, regions=("us-east-1",))
    for status in ("QUEUED", "RUNNING"):
        embedded.deliver(task_event(status, arn=arn))
        embedded.drain()
    log = embedded.audit_log()
    history = log.history(arn)
    assert log.latest(arn)["status"] == "COMPLETED" and len(history) == 3
    completed = [item for item in history if item["status"] == "COMPLETED"]
    assert [item["arrival"]["via"] for item in completed] == ["backfill"]


def test_searches_are_held_to_their_rate(embedded) -> None:
    _put_world(embedded)
    now = [0.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    limits = backfill.Limits(search_per_second=0.5, get_task_per_second=100, get_job_per_second=100, page_size=2)
    summary, _ = _run(embedded, regions=("us-east-1",), limits=limits, clock=lambda: now[0], sleep=sleep)
    # Three task pages back to back: two waits of about 2 s (less the time the pages' GetQuantumTask
    # calls spent on their own limiter meanwhile); the jobs' search has its own limiter
    long_waits = [pause for pause in pauses if pause >= 1.0]
    assert len(long_waits) == 2 and sum(long_waits) == pytest.approx(4.0, abs=0.05)
    assert summary.throttled_seconds >= 4.0


def test_the_pipeline_s_describe_calls_are_held_to_their_rate_too(embedded) -> None:
    _put_world(embedded)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limits = backfill.Limits(search_per_second=100, get_task_per_second=1, get_job_per_second=100, page_size=100)
    _run(embedded, regions=("us-east-1",), limits=limits, clock=lambda: now[0], sleep=sleep)
    gets = [call for call in embedded.braket.calls if call.operation == "GetQuantumTask"]
    assert len(gets) == 5 and now[0] >= 4.0  # five GetQuantumTask at 1/s: four waits of a second


@given(
    rate=st.floats(min_value=0.1, max_value=100),
    arrivals=st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=30),
)
def test_a_rate_limiter_never_lets_two_calls_closer_than_its_interval(rate: float, arrivals: list[float]) -> None:
    now = [0.0]
    allowed: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = backfill.RateLimiter(rate, clock=lambda: now[0], sleep=sleep)
    for gap in arrivals:
        now[0] += gap
        limiter.wait()
        allowed.append(now[0])
    assert all(later - earlier >= 1 / rate - 1e-9 for earlier, later in itertools.pairwise(allowed))


def test_synthetic_event_ids_and_times_are_deterministic_and_valid() -> None:
    summary = {
        "quantumTaskArn": task_arn(task_id=_id(1)),
        "status": "COMPLETED",
        "deviceArn": description()["deviceArn"],
        "shots": 1000,
        "outputS3Bucket": "b",
        "outputS3Directory": "d",
        "createdAt": datetime(2026, 11, 20, 9, 0, 1, 120000, tzinfo=UTC),
        "endedAt": datetime(2026, 11, 20, 11, 43, 39, 871000, tzinfo=UTC),
    }
    first, again = backfill.task_event(summary), backfill.task_event(dict(summary))
    assert first == again and first["time"] == "2026-11-20T11:43:39.871Z"
    running = backfill.task_event({**summary, "status": "RUNNING"})
    assert running["id"] != first["id"] and running["time"] == "2026-11-20T09:00:01.120Z"
    assert "endedAt" not in running["detail"]
    from task_monitor.domain.kinds.task.event import parse_task_event

    assert parse_task_event(first).event_id == first["id"]


def test_a_time_without_zone_or_an_unknown_region_is_refused_before_any_call(embedded) -> None:
    run = backfill.Backfill(botocore.session.get_session(), Settings.from_environment(), operator=DEMO_OPERATOR)
    with pytest.raises(backfill.BackfillError, match="time zone"):
        list(run.run(datetime(2026, 11, 1)))
    with pytest.raises(backfill.BackfillError, match="not Braket regions: mars-1"):
        list(run.run(SINCE, ("mars-1",)))
    assert embedded.braket.calls == []


# -- under injected faults: one record per task, whatever fails or runs twice at once ------------------
def test_a_task_dynamodb_never_took_is_counted_failed_the_rest_go_on_and_a_rerun_records_it_once(
    embedded, fault
) -> None:
    _put_world(embedded)
    session = botocore.session.get_session()
    down = fault("TransactWriteItems", times=4)  # every attempt of the first save (botocore's four)
    session.register("before-send.dynamodb", down)
    summary, _ = _run(embedded, session=session)
    assert down.raised == 4
    assert (summary.total("failed"), summary.total("recorded")) == (1, 7)
    ((failed_arn, why),) = summary.failures
    assert why.startswith("ConnectionClosedError") and "\n" not in why
    assert embedded.audit_log().history(failed_arn) == []  # nothing partly written
    # When run again (DynamoDB back): only that one is recorded, the rest are duplicates
    again, _ = _run(embedded)
    assert (again.total("recorded"), again.total("duplicate"), again.total("failed")) == (1, 7, 0)
    assert len(embedded.audit_log().history(failed_arn)) == 1


def test_a_lost_answer_after_the_write_is_a_duplicate_on_retry_never_a_second_record(embedded, fault) -> None:
    _put_world(embedded)
    session = botocore.session.get_session()
    lost = fault("TransactWriteItems", times=1)
    # after moto: written, then the answer is lost
    session.get_component("event_emitter").register_last("before-send.dynamodb", lost)
    summary, _ = _run(embedded, session=session)
    # The first save was written and its answer lost: botocore's retry finds its own write stored (the
    # store tells it from another event's), so it counts as recorded, and is there once
    assert lost.raised == 1
    assert (summary.total("recorded"), summary.total("duplicate"), summary.total("failed")) == (8, 0, 0)
    for number in range(7):
        arn = task_arn(region="eu-north-1" if number >= 5 else "us-east-1", task_id=_id(number))
        assert len(embedded.audit_log().history(arn)) == 1


def test_two_backfills_at_once_record_each_task_and_job_once(embedded) -> None:
    import threading

    _put_world(embedded)
    summaries: list[backfill.BackfillSummary] = []

    def one() -> None:
        summaries.append(_run(embedded)[0])

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(summary.total("recorded") for summary in summaries) == 8
    assert sum(summary.total("duplicate") for summary in summaries) == 8
    events = [item for item in _items(embedded) if item["sk"]["S"].startswith("EVENT#")]
    assert len(events) == 8


_moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@given(
    status=st.sampled_from(["CREATED", "QUEUED", "RUNNING", "CANCELLING", "COMPLETED", "FAILED", "CANCELLED"]),
    created=_moments,
    ended=st.none() | _moments,
    number=st.integers(min_value=0, max_value=10**6),
)
def test_any_search_summary_makes_a_valid_event_whose_id_depends_on_arn_status_and_time(
    status: str, created: datetime, ended: datetime | None, number: int
) -> None:
    from task_monitor.domain.kinds.task.event import parse_task_event
    from task_monitor.domain.status import TASK_LIFECYCLE
    from task_monitor.domain.timefmt import format_instant

    summary = {
        "quantumTaskArn": task_arn(task_id=_id(number)),
        "status": status,
        "deviceArn": description()["deviceArn"],
        "shots": 100,
        "outputS3Bucket": "bucket",
        "outputS3Directory": "tasks/x",
        "createdAt": created,
        **({"endedAt": ended} if ended else {}),
    }
    event = backfill.task_event(summary)
    change = parse_task_event(event)  # valid: nothing a live event could not be
    expected_time = ended if ended and TASK_LIFECYCLE.is_terminal(status) else created
    assert change.event_time == format_instant(expected_time) and change.status == status
    assert event["id"] == backfill.synthetic_event_id(summary["quantumTaskArn"], status, event["time"])
    assert backfill.task_event({**summary, "quantumTaskArn": task_arn(task_id=_id(number + 1))})["id"] != event["id"]


@given(
    status=st.sampled_from(["QUEUED", "RUNNING", "CANCELLING", "COMPLETED", "FAILED", "CANCELLED"]),
    started=st.none() | _moments,
    ended=st.none() | _moments,
)
def test_any_job_summary_makes_a_valid_job_event(status: str, started: datetime | None, ended: datetime | None) -> None:
    from task_monitor.domain.kinds.job.event import parse_job_event

    summary = {
        "jobArn": job_arn(job_id_for("prop")),
        "jobName": "prop",
        "status": status,
        "device": description()["deviceArn"],
        "createdAt": datetime(2026, 11, 1, tzinfo=UTC),
        **({"startedAt": started} if started else {}),
        **({"endedAt": ended} if ended else {}),
    }
    event = backfill.job_event(summary)
    change = parse_job_event(event)
    assert change.status == status and change.event_id == event["id"] and change.ignored_fields == ()
    assert backfill.job_event(dict(summary)) == event


def test_a_summary_the_pipeline_finds_invalid_is_counted_failed_and_named_and_the_rest_go_on(embedded) -> None:
    _put_world(embedded)
    odd = task_arn(task_id=_id(8))
    embedded.braket.put_task(description("COMPLETED", arn=odd, deviceArn="not-a-device-arn"))
    summary, _ = _run(embedded, regions=("us-east-1",))
    assert (summary.total("failed"), summary.total("recorded")) == (1, 6)
    ((arn, why),) = summary.failures
    assert arn == odd and why.startswith("InvalidEventError") and "detail.deviceArn" in why
    assert embedded.audit_log().history(odd) == []
