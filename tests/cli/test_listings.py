"""Listings of tasks and jobs (task_monitor_cli.listings) over a fleet recorded by the real handler.

The fleet goes through the embedded AWS (moto, the Braket emulator) as EventBridge would deliver it:
tasks on two devices, in every status, created on different days, by two principals or nobody known,
with tags, some in a hybrid job; jobs in three statuses. Every listing is checked against the fleet as
written here (not as the code reads it), and each row against the task's whole latest state. A
botocore hook on the listing's own client records every DynamoDB call: never a Scan, the index each
Query used, whether items were read (BatchGetItem).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from task_monitor.audit import AuditLog
from task_monitor.domain.timefmt import format_instant
from task_monitor_cli.listings import (
    STATUS_TIME_SLACK,
    BadFilterError,
    BadTagError,
    BadTimeError,
    JobFilter,
    ListingError,
    TaskFilter,
    UnknownStatusError,
    job_row,
    list_jobs,
    list_tasks,
    parse_tag,
    parse_time,
    plan_tasks,
    task_row,
)
from task_monitor_devkit.builders.api_call import assumed_role, create_job_call, create_task_call, iam_user
from task_monitor_devkit.builders.job import JOB_ARN, job_arn, job_description, job_event, job_id_for
from task_monitor_devkit.builders.task import FORTE, SV1, description, task_arn, task_event
from task_monitor_devkit.embedded import TABLE_NAME, EmbeddedAws

ALICE = assumed_role("Alice", session="alice")
BOB = iam_user("bob")
ALICE_PRINCIPAL = "arn:aws:iam::123456789012:role/Alice"
BOB_PRINCIPAL = "arn:aws:iam::123456789012:user/bob"
PRINCIPALS = {"alice": ALICE_PRINCIPAL, "bob": BOB_PRINCIPAL, None: "unknown"}
IDENTITIES = {"alice": ALICE, "bob": BOB}
PATHS = {
    "CREATED": ("CREATED",),
    "QUEUED": ("CREATED", "QUEUED"),
    "RUNNING": ("CREATED", "QUEUED", "RUNNING"),
    "COMPLETED": ("CREATED", "QUEUED", "RUNNING", "COMPLETED"),
    "FAILED": ("CREATED", "QUEUED", "RUNNING", "FAILED"),
    "CANCELLED": ("CREATED", "QUEUED", "CANCELLING", "CANCELLED"),
}
# Seconds after creation at which each status is reached (CREATED's event time has whole seconds:
# it reads a fraction of a second *before* createdAt, as EventBridge's times can).
STATUS_DELAY = {"CREATED": -0.12, "QUEUED": 2, "RUNNING": 3600, "CANCELLING": 3600, "FAILED": 7200}
STATUS_DELAY |= {"COMPLETED": 7200, "CANCELLED": 7200}


@dataclass(frozen=True)
class FleetTask:
    number: int
    device: str
    final: str
    created: datetime
    creator: str | None
    tags: dict[str, str] = field(default_factory=dict)
    in_job: bool = False

    @property
    def arn(self) -> str:
        return task_arn(task_id=f"{self.number:08d}-1111-4222-8333-444455556666")

    @property
    def created_at(self) -> str:
        return format_instant(self.created)

    def time_of(self, status: str) -> datetime:
        return self.created + timedelta(seconds=STATUS_DELAY[status])


def _day(day: int, hour: int = 9, millisecond: int = 120) -> datetime:
    return datetime(2026, 11, day, hour, 0, 1, millisecond * 1000, tzinfo=UTC)


VQE, QAOA = {"project": "vqe"}, {"project": "qaoa", "owner": "ops"}
FLEET = (
    FleetTask(0, FORTE, "COMPLETED", _day(10), "alice", VQE, in_job=True),
    FleetTask(1, FORTE, "FAILED", _day(11), "bob", QAOA),
    FleetTask(2, SV1, "COMPLETED", _day(12), "alice"),
    FleetTask(3, SV1, "QUEUED", _day(13), None, VQE),
    FleetTask(4, FORTE, "RUNNING", _day(14), "bob", VQE, in_job=True),
    FleetTask(5, FORTE, "CANCELLED", _day(15), "alice", QAOA),
    FleetTask(6, SV1, "CREATED", _day(16), None),
    FleetTask(7, FORTE, "QUEUED", _day(17), "alice", VQE),
    FleetTask(8, SV1, "COMPLETED", _day(18), "bob", QAOA, in_job=True),
    FleetTask(9, FORTE, "COMPLETED", _day(19), None, VQE),
    FleetTask(10, SV1, "FAILED", _day(20), "alice", VQE),
    FleetTask(11, FORTE, "COMPLETED", _day(20, hour=15, millisecond=500), "alice", QAOA),
)


@dataclass(frozen=True)
class FleetJob:
    arn: str
    final: str
    created: datetime
    creator: str | None


JOBS = (
    FleetJob(JOB_ARN, "COMPLETED", _day(9), "alice"),
    FleetJob(job_arn(job_id_for("listed-b")), "FAILED", _day(15), "bob"),
    FleetJob(job_arn(job_id_for("listed-c")), "RUNNING", _day(18), None),
)


def _event_time(moment: datetime) -> str:
    """EventBridge's ``time``: whole seconds, truncated."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _record_task(aws: EmbeddedAws, task: FleetTask) -> None:
    if task.creator:
        call = create_task_call(
            task.arn, identity=IDENTITIES[task.creator], event_time=_event_time(task.created - timedelta(seconds=1))
        )
        assert aws.send(call).error is None
    ended = format_instant(task.time_of(task.final))
    for status in PATHS[task.final]:
        described: dict[str, Any] = {"createdAt": task.created_at, "tags": dict(task.tags), "endedAt": ended}
        if task.in_job:
            described["jobArn"] = JOB_ARN
        aws.braket.put_task(description(status, arn=task.arn, device=task.device, **described))
        event = task_event(
            status,
            arn=task.arn,
            device=task.device,
            time=_event_time(task.time_of(status)),
            created_at=task.created_at,
            ended_at=ended,
        )
        invocation = aws.send(event)
        assert invocation.error is None, invocation.error


def _record_job(aws: EmbeddedAws, job: FleetJob) -> None:
    created, started, ended = (format_instant(job.created + timedelta(minutes=m)) for m in (0, 5, 30))
    if job.creator:
        call = create_job_call(job.arn, identity=IDENTITIES[job.creator], event_time=_event_time(job.created))
        assert aws.send(call).error is None
    path = ("QUEUED", "RUNNING", job.final) if job.final != "RUNNING" else ("QUEUED", "RUNNING")
    for minutes, status in zip((1, 6, 31), path, strict=False):
        times = {"created_at": created, "started_at": started, "ended_at": ended}
        aws.braket.put_job(job_description(status, arn=job.arn, **times))
        event = job_event(status, arn=job.arn, time=_event_time(job.created + timedelta(minutes=minutes)), **times)
        invocation = aws.send(event)
        assert invocation.error is None, invocation.error


@pytest.fixture(scope="module")
def fleet() -> Iterator[EmbeddedAws]:
    with EmbeddedAws() as aws:
        for job in JOBS:
            _record_job(aws, job)
        for task in FLEET:
            _record_task(aws, task)
        yield aws


class Reads:
    """An AuditLog on a client of its own, whose every DynamoDB call is noted."""

    def __init__(self) -> None:
        client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        self.calls: list[dict[str, Any]] = []
        client.meta.events.register("before-parameter-build.dynamodb", self._note)
        self.log = AuditLog(TABLE_NAME, client=client)

    def _note(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append({"operation": model.name, **params})

    def operations(self) -> set[str]:
        return {call["operation"] for call in self.calls}

    def queries(self) -> list[dict[str, Any]]:
        return [call for call in self.calls if call["operation"] == "Query"]

    def partitions(self) -> set[str]:
        return {call["ExpressionAttributeValues"][":pk"]["S"] for call in self.queries()}


def _expected(
    *,
    device: str | None = None,
    status: str | None = None,
    since: str | None = None,
    until: str | None = None,
    job: str | None = None,
    tag: tuple[str, str] | None = None,
    creator: str | None = None,
) -> set[str]:
    """The fleet's tasks a filter names, worked out from the fleet as written above."""
    return {
        task.arn
        for task in FLEET
        if (device is None or task.device == device)
        and (status is None or task.final == status)
        and (since is None or since <= task.created_at)
        and (until is None or task.created_at <= until)
        and (job is None or (task.in_job and job == JOB_ARN))
        and (tag is None or task.tags.get(tag[0]) == tag[1])
        and (creator is None or PRINCIPALS[task.creator] == creator)
    }


# Bounds at, just before and just after each creation, and whole days.
_INSTANTS = sorted({task.created + timedelta(milliseconds=d) for task in FLEET for d in (-1, 0, 1)})
BOUNDS = st.one_of(st.none(), st.sampled_from([format_instant(moment) for moment in _INSTANTS]))


FILTERS = st.fixed_dictionaries(
    {
        "device": st.sampled_from([None, FORTE, SV1]),
        "status": st.sampled_from([None, "CREATED", "QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]),
        "since": BOUNDS,
        "until": BOUNDS,
        "job": st.sampled_from([None, None, JOB_ARN]),
        "tag": st.sampled_from([None, ("project", "vqe"), ("project", "qaoa"), ("owner", "ops"), ("project", "none")]),
        "creator": st.sampled_from([None, ALICE_PRINCIPAL, BOB_PRINCIPAL, "unknown"]),
    }
)


@settings(max_examples=60, deadline=None)
@given(chosen=FILTERS, page_size=st.integers(min_value=1, max_value=5))
def test_every_filter_and_combination_lists_the_fleet_s_tasks_with_their_latest_state(
    fleet: EmbeddedAws, chosen: dict[str, Any], page_size: int
) -> None:
    if chosen["since"] and chosen["until"] and chosen["since"] > chosen["until"]:
        chosen["since"], chosen["until"] = chosen["until"], chosen["since"]
    reads = Reads()
    rows = list(list_tasks(reads.log, TaskFilter(**chosen), page_size=page_size))
    assert {row["arn"] for row in rows} == _expected(**chosen)
    assert len(rows) == len({row["arn"] for row in rows}), "a task listed twice"
    # Each row says what the task's whole latest state says.
    whole = fleet.audit_log()
    for row in rows:
        assert row == task_row(whole.latest(row["arn"]) or {})
    # In the order the plan announces, through indexes only.
    order = "createdAt" if plan_tasks(TaskFilter(**chosen)).order == "createdAt" else "statusTime"
    assert [row[order] for row in rows] == sorted(row[order] for row in rows)  # type: ignore[literal-required]
    assert reads.operations() <= {"Query", "BatchGetItem"}


# filter -> (index queried, partitions read, whether items are read)
INDEX_CHOICES = [
    (TaskFilter(job=JOB_ARN), "byJob-v2", 1, False),
    (TaskFilter(job=JOB_ARN, device=FORTE, status="RUNNING", creator=BOB_PRINCIPAL), "byJob-v2", 1, False),
    (TaskFilter(job=JOB_ARN, tag=("project", "vqe")), "byJob-v2", 1, True),
    (TaskFilter(device=FORTE), "byDevice-v2", 1, True),
    (TaskFilter(device=SV1, creator=ALICE_PRINCIPAL, since="2026-11-12"), "byDevice-v2", 1, True),
    (TaskFilter(device=FORTE, status="COMPLETED"), "byStatus-v2", 1, False),
    (TaskFilter(device=FORTE, status="QUEUED", tag=("project", "vqe")), "byStatus-v2", 1, True),
    (TaskFilter(status="FAILED", creator=ALICE_PRINCIPAL, until="2026-11-20"), "byStatus-v2", 1, False),
    (TaskFilter(), "byStatus-v2", 7, False),
    (TaskFilter(since="2026-11-15", creator="unknown"), "byStatus-v2", 7, False),
    (TaskFilter(tag=("owner", "ops")), "byStatus-v2", 7, True),
]


@pytest.mark.parametrize(("task_filter", "index", "partitions", "reads_items"), INDEX_CHOICES)
def test_each_filter_is_answered_by_its_index_never_a_scan(
    fleet: EmbeddedAws, task_filter: TaskFilter, index: str, partitions: int, reads_items: bool
) -> None:
    reads = Reads()
    rows = list(list_tasks(reads.log, task_filter))
    assert rows, "the fleet has tasks for every filter here"
    assert "Scan" not in reads.operations()
    assert {call["IndexName"] for call in reads.queries()} == {index}
    assert len(reads.partitions()) == partitions
    assert ("BatchGetItem" in reads.operations()) is reads_items
    assert reads.operations() <= {"Query", "BatchGetItem"}


def test_a_device_and_a_status_filter_on_the_device_in_the_query_not_here(fleet: EmbeddedAws) -> None:
    reads = Reads()
    rows = list(list_tasks(reads.log, TaskFilter(device=SV1, status="COMPLETED")))
    assert {row["arn"] for row in rows} == _expected(device=SV1, status="COMPLETED")
    (query,) = reads.queries()
    assert "deviceArn" in query["ExpressionAttributeNames"].values()
    assert query["ExpressionAttributeValues"][":pk"]["S"] == "STATUS#COMPLETED"


def test_pages_are_read_one_query_at_a_time_and_rows_stream(fleet: EmbeddedAws) -> None:
    reads = Reads()
    listing = list_tasks(reads.log, TaskFilter(device=FORTE), page_size=2)
    first = next(listing)
    assert len(reads.queries()) == 1 and reads.queries()[0]["Limit"] == 2, "only the first page read so far"
    rest = list(listing)
    forte = _expected(device=FORTE)
    assert {first["arn"], *(row["arn"] for row in rest)} == forte
    # Every page but the last goes on from where the one before ended.
    queries = reads.queries()
    assert len(queries) >= len(forte) // 2
    assert all("ExclusiveStartKey" in query for query in queries[1:])
    batches = [call for call in reads.calls if call["operation"] == "BatchGetItem"]
    assert all(len(call["RequestItems"][TABLE_NAME]["Keys"]) <= 2 for call in batches)
    assert sum(len(call["RequestItems"][TABLE_NAME]["Keys"]) for call in batches) == len(forte)


def test_every_status_merged_by_the_time_it_was_reached_newest_first_too(fleet: EmbeddedAws) -> None:
    oldest_first = list(list_tasks(Reads().log, page_size=3))
    newest_first = list(list_tasks(Reads().log, page_size=3, newest_first=True))
    assert {row["arn"] for row in oldest_first} == {task.arn for task in FLEET}
    assert [row["statusTime"] for row in oldest_first] == sorted(row["statusTime"] for row in oldest_first)
    assert [row["arn"] for row in newest_first] == [row["arn"] for row in reversed(oldest_first)]


def test_since_and_until_bound_the_creation_time_on_every_index(fleet: EmbeddedAws) -> None:
    monday, tuesday = "2026-11-20", "2026-11-20"
    by_day = {task.arn for task in FLEET if task.created_at.startswith("2026-11-20")}
    assert len(by_day) == 2
    for task_filter in (
        TaskFilter(since=monday, until=tuesday),  # byStatus, every status
        TaskFilter(since=monday, until=tuesday, device=FORTE),  # byDevice
        TaskFilter(since=monday, until=tuesday, device=SV1, status="FAILED"),  # byStatus filtered on device
    ):
        rows = list(list_tasks(Reads().log, task_filter))
        assert {row["arn"] for row in rows} <= by_day
        assert all(row["createdAt"].startswith("2026-11-20") for row in rows)
    # A bound is an instant, both ends included: exactly the creation instant lists it, a millisecond after does not.
    created = FLEET[11].created
    exactly = format_instant(created)
    after = format_instant(created + timedelta(milliseconds=1))
    assert FLEET[11].arn in {row["arn"] for row in list_tasks(Reads().log, TaskFilter(since=exactly, until=exactly))}
    assert FLEET[11].arn not in {row["arn"] for row in list_tasks(Reads().log, TaskFilter(since=after))}


def test_a_status_reached_a_moment_before_its_creation_time_still_counts_from_creation(fleet: EmbeddedAws) -> None:
    # FLEET[6] is CREATED, its event's time (whole seconds) a fraction of a second before its createdAt.
    task = FLEET[6]
    row = next(row for row in list_tasks(Reads().log, TaskFilter(status="CREATED")) if row["arn"] == task.arn)
    assert row["statusTime"] is not None and row["statusTime"] < task.created_at
    listed = list_tasks(Reads().log, TaskFilter(status="CREATED", since=task.created_at))
    assert task.arn in {row["arn"] for row in listed}
    assert timedelta(seconds=1) <= STATUS_TIME_SLACK


def test_a_row_holds_what_the_report_needs(fleet: EmbeddedAws) -> None:
    task = FLEET[0]  # COMPLETED on Forte-1, by Alice, in the job
    (row,) = [
        row for row in list_tasks(Reads().log, TaskFilter(job=JOB_ARN, status="COMPLETED")) if row["arn"] == task.arn
    ]
    assert row["status"] == "COMPLETED"
    assert row["statusTime"] == format_instant(task.time_of("COMPLETED").replace(microsecond=0))
    assert row["deviceArn"] == FORTE and row["createdAt"] == task.created_at and row["jobArn"] == JOB_ARN
    assert row["shots"] == 1000 and row["numSuccessfulShots"] == 1000
    assert row["creator"] == ALICE_PRINCIPAL
    cost = row["estimatedCost"]
    assert cost is not None and isinstance(cost["amountUsd"], str) and "." in cost["amountUsd"]
    assert isinstance(cost["approximate"], bool) and cost["basis"]
    running_from = task.time_of("RUNNING").replace(microsecond=0)
    assert row["timings"]["queuedSeconds"] == round((running_from - task.created).total_seconds(), 3)
    ended = task.time_of("COMPLETED")
    assert row["timings"]["runningSeconds"] == round((ended - running_from).total_seconds(), 3)
    # The same task by device (items read) and by status (index only) is the same row.
    by_device = [r for r in list_tasks(Reads().log, TaskFilter(device=FORTE)) if r["arn"] == task.arn]
    by_status = [r for r in list_tasks(Reads().log, TaskFilter(status="COMPLETED")) if r["arn"] == task.arn]
    assert by_device == by_status == [row]


def test_a_task_with_no_creator_known_is_listed_as_unknown(fleet: EmbeddedAws) -> None:
    rows = list(list_tasks(Reads().log, TaskFilter(creator="unknown")))
    assert {row["arn"] for row in rows} == {task.arn for task in FLEET if task.creator is None}
    assert {row["creator"] for row in rows} == {"unknown"}


def _expected_jobs(status: str | None = None, since: str | None = None, creator: str | None = None) -> set[str]:
    return {
        job.arn
        for job in JOBS
        if (status is None or job.final == status)
        and (since is None or format_instant(job.created) >= since)
        and (creator is None or PRINCIPALS[job.creator] == creator)
    }


@pytest.mark.parametrize(
    "chosen",
    [{}, {"status": "FAILED"}, {"since": "2026-11-14"}, {"creator": ALICE_PRINCIPAL}, {"creator": "unknown"}],
)
def test_jobs_are_listed_by_status_creator_and_creation_time(fleet: EmbeddedAws, chosen: dict[str, str]) -> None:
    reads = Reads()
    rows = list(list_jobs(reads.log, JobFilter(**chosen), page_size=1))
    assert {row["arn"] for row in rows} == _expected_jobs(**chosen)
    whole = fleet.audit_log()
    for row in rows:
        assert row == job_row(whole.latest(row["arn"]) or {})
        assert row["deviceArn"] == FORTE and row["createdAt"]
        assert (row["estimatedCost"] is not None) is (row["status"] in {"COMPLETED", "FAILED"})  # at its end
    assert {call["IndexName"] for call in reads.queries()} == {"byStatus-v2"}
    assert all(partition.startswith("JOB_STATUS#") for partition in reads.partitions())
    assert reads.operations() == {"Query"}


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: TaskFilter(status="DONE"), UnknownStatusError, "choose one of CREATED"),
        (lambda: JobFilter(status="CREATED"), UnknownStatusError, "a job has no status"),
        (lambda: parse_tag("project"), BadTagError, "KEY=VALUE"),
        (lambda: parse_tag("=vqe"), BadTagError, "KEY=VALUE"),
        (lambda: TaskFilter(tag=("", "x")), BadTagError, "(key, value)"),
        (lambda: TaskFilter(since="last tuesday"), BadTimeError, "--since"),
        (lambda: TaskFilter(until="2026-13-40"), BadTimeError, "--until"),
        (lambda: TaskFilter(since="2026-11-20", until="2026-11-19"), BadFilterError, "swap them"),
        (lambda: TaskFilter(device=task_arn()), BadFilterError, "not a device ARN"),
        (lambda: TaskFilter(job=FORTE), BadFilterError, "not a job ARN"),
        (lambda: TaskFilter(creator="  "), BadFilterError, "--creator"),
        (lambda: list(list_tasks(AuditLog(TABLE_NAME, client=object()), page_size=0)), BadFilterError, "page size"),
    ],
)
def test_a_bad_filter_is_one_clear_line(make: Any, error: type[ListingError], words: str) -> None:
    with pytest.raises(error) as raised:
        make()
    assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    assert words in message and "\n" not in message


def test_time_bounds_as_people_type_them() -> None:
    now = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    assert parse_time("7d", now=now) == "2026-11-26T05:00:00.000Z"
    assert parse_time("90m", now=now) == "2026-12-03T03:30:00.000Z"
    assert parse_time("2026-11-20") == "2026-11-20T00:00:00.000Z"
    assert parse_time("2026-11-20", end_of_day=True) == "2026-11-20T23:59:59.999Z"
    assert parse_time("2026-11-20T09:00Z") == "2026-11-20T09:00:00.000Z"
    assert parse_time("2026-11-20T10:00+01:00") == "2026-11-20T09:00:00.000Z"
    assert parse_time("2026-11-20T09:00") == "2026-11-20T09:00:00.000Z"  # no offset: UTC
    assert TaskFilter(until="2026-11-20").until == "2026-11-20T23:59:59.999Z"
    assert TaskFilter(status="completed").status == "COMPLETED"
    assert parse_tag("team=a=b") == ("team", "a=b")
