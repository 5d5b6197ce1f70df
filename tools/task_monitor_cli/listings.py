"""Tasks and hybrid jobs listed by device, status, job, creator, tag and time, through the audit
table's indexes: one Query per index partition, page by page, never a scan (docs/listings.md).

    log = AuditLog(table, client=dynamodb)
    for row in list_tasks(log, TaskFilter(device=FORTE, since=parse_time("7d"))):
        ...
    for row in list_jobs(log, JobFilter(status="FAILED")):
        ...

The index is chosen by the most selective filter (``plan_tasks``): a job -> byJob; a device ->
byDevice, or byStatus filtered on the device when a status is given too; a status -> byStatus;
nothing -> byStatus, every status of the kind, merged by time. The other filters are DynamoDB
filter expressions on what the index copies, or, for what it does not copy (a task's tags; a
status on byDevice), applied here to the latest states read with BatchGetItem, one request per page.

``since`` and ``until`` bound the *creation* time (``createdAt``), both included, whatever the index:
byDevice and byJob are sorted on it; byStatus is sorted on the time the status was reached, which
is never before creation, so its range starts at ``since`` (less a minute of slack for event times'
whole seconds) and ``createdAt`` is filtered. Rows come in the index's order: creation time (job,
device) or the time of the status (status, nothing), oldest first unless ``newest_first``.

Bad filters raise ``ListingError`` (a ``ValueError``) with a one-line message naming the fix.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import Any, TypedDict

from task_monitor import audit_schema as schema
from task_monitor.audit import AuditLog, Condition
from task_monitor.domain import registry
from task_monitor.domain.callers import UNKNOWN_PRINCIPAL
from task_monitor.domain.cost.display import priced_parts
from task_monitor.domain.timefmt import format_instant, parse_instant

DEFAULT_PAGE_SIZE = 100
# A status is reached at or after creation, but an event's time has whole seconds while createdAt has
# milliseconds: a byStatus range bounded by creation starts this much earlier, then filters createdAt.
STATUS_TIME_SLACK = timedelta(minutes=1)
_EARLIEST = "0000"  # sorts before every stored time
_LATEST = "9999"  # sorts after every stored time
_RELATIVE = re.compile(r"^(\d{1,6})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ListingError(ValueError):
    """A filter the listings cannot take; the message is one line naming the problem and the fix."""


class UnknownStatusError(ListingError):
    """A status the kind does not have."""


class BadTagError(ListingError):
    """A tag filter not of the form KEY=VALUE."""


class BadTimeError(ListingError):
    """A time bound that is not an instant, a date or a duration back from now."""


class BadFilterError(ListingError):
    """Any other filter that cannot be right (an ARN of the wrong kind, since after until, ...)."""


# -- rows ------------------------------------------------------------------------------------------


class CostFigure(TypedDict):
    """A record's ``estimatedCost`` as listed: a decimal string in USD (None when unknown), whether it
    is approximate, and the basis it was worked out on; never a bill."""

    amountUsd: str | None
    approximate: bool | None
    basis: str | None
    atLeastUsd: str | None  # without an amount: what its priced parts add up to (a job's tasks, say)


class RowTimings(TypedDict):
    """Seconds from creation to running (queue wait) and running to the end, as far as known."""

    queuedSeconds: float | None
    runningSeconds: float | None


class TaskRow(TypedDict):
    """One task as listed (every key present; None when unknown)."""

    arn: str
    status: str | None
    statusTime: str | None  # when the task reached ``status``
    deviceArn: str | None
    createdAt: str | None
    shots: int | None
    numSuccessfulShots: int | None
    estimatedCost: CostFigure | None
    creator: str  # the principal who created it, "unknown" until CloudTrail's call is joined
    jobArn: str | None
    timings: RowTimings


class JobRow(TypedDict):
    """One hybrid job as listed (every key present; None when unknown)."""

    arn: str
    status: str | None
    statusTime: str | None
    deviceArn: str | None
    createdAt: str | None
    estimatedCost: CostFigure | None
    creator: str


# What a task row and a job row read from a latest state.
TASK_ROW_ATTRIBUTES = frozenset(
    {
        "quantumTaskArn",
        "status",
        "eventTime",
        "deviceArn",
        "createdAt",
        "shots",
        "numSuccessfulShots",
        "estimatedCost",
        "createdBy",
        "jobArn",
        "timings",
    }
)
JOB_ROW_ATTRIBUTES = frozenset(
    {"jobArn", "status", "eventTime", "deviceArn", "createdAt", "estimatedCost", "createdBy"}
)


def _cost(record: Mapping[str, Any]) -> CostFigure | None:
    cost = record.get("estimatedCost")
    if not isinstance(cost, Mapping):
        return None
    return {
        "amountUsd": cost.get("amountUsd"),
        "approximate": cost.get("approximate"),
        "basis": cost.get("basis"),
        "atLeastUsd": priced_parts(cost),
    }


def _creator(record: Mapping[str, Any]) -> str:
    caller = record.get("createdBy")
    principal = caller.get("principal") if isinstance(caller, Mapping) else None
    return str(principal) if principal else UNKNOWN_PRINCIPAL


def task_row(record: Mapping[str, Any]) -> TaskRow:
    known = record.get("timings")
    timings: Mapping[str, Any] = known if isinstance(known, Mapping) else {}
    return {
        "arn": str(record["quantumTaskArn"]),
        "status": record.get("status"),
        "statusTime": record.get("eventTime"),
        "deviceArn": record.get("deviceArn"),
        "createdAt": record.get("createdAt"),
        "shots": record.get("shots"),
        "numSuccessfulShots": record.get("numSuccessfulShots"),
        "estimatedCost": _cost(record),
        "creator": _creator(record),
        "jobArn": record.get("jobArn"),
        "timings": {"queuedSeconds": timings.get("queuedSeconds"), "runningSeconds": timings.get("runningSeconds")},
    }


def job_row(record: Mapping[str, Any]) -> JobRow:
    return {
        "arn": str(record["jobArn"]),
        "status": record.get("status"),
        "statusTime": record.get("eventTime"),
        "deviceArn": record.get("deviceArn"),
        "createdAt": record.get("createdAt"),
        "estimatedCost": _cost(record),
        "creator": _creator(record),
    }


# -- parsing what a user types -----------------------------------------------------------------------


def parse_tag(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` (the value may hold ``=``; it may be empty) as a tag filter."""
    key, separator, value = text.partition("=")
    if not separator or not key.strip():
        raise BadTagError(f"tag filter {text!r} is not KEY=VALUE: give it as --tag project=vqe")
    return key.strip(), value


def parse_time(text: str, *, now: datetime | None = None, end_of_day: bool = False) -> str:
    """A time bound as stored (``2026-11-20T09:00:00.000Z``) from an instant (``2026-11-20T09:00Z``, an
    offset, or none: UTC), a date (its first millisecond, or its last with ``end_of_day``: an ``until``
    date includes the day) or a duration back from now (``30m``, ``12h``, ``7d``, ``2w``)."""
    text = text.strip()
    relative = _RELATIVE.fullmatch(text)
    if relative:
        back = timedelta(**{_UNITS[relative[2]]: int(relative[1])})
        return format_instant((now or datetime.now(UTC)) - back)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        if "T" not in text:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return format_instant(start + timedelta(days=1, milliseconds=-1) if end_of_day else start)
    instant = parse_instant(_as_utc(text)) if "T" in text else None
    if instant is None:
        raise BadTimeError(
            f"time {text!r} is not an instant, a date or a duration: give 2026-11-20T09:00Z, 2026-11-20 or 7d"
        )
    return format_instant(instant)


def _as_utc(text: str) -> datetime | None:
    """An ISO-8601 date and time; UTC when it names no offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bound(value: str | datetime | None, name: str, *, end_of_day: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        instant = parse_instant(value if value.tzinfo else value.replace(tzinfo=UTC))
        if instant is None:
            raise BadTimeError(f"--{name} {value!r} is before 1970: give a later time")
        return format_instant(instant)
    try:
        return parse_time(value, end_of_day=end_of_day)
    except BadTimeError as error:
        raise BadTimeError(f"--{name}: {error}") from None


def _status(value: str | None, kind: registry.Kind) -> str | None:
    if value is None:
        return None
    assert kind.lifecycle is not None
    status = value.strip().upper()
    if status not in kind.lifecycle.statuses:
        known = ", ".join(sorted(kind.lifecycle.statuses, key=kind.lifecycle.rank))
        raise UnknownStatusError(f"a {kind.name} has no status {value!r}: choose one of {known}")
    return status


def _arn_of_kind(value: str | None, kind: registry.Kind, flag: str) -> str | None:
    if value is None:
        return None
    arn = value.strip()
    if registry.kind_of_arn(arn) is not kind:
        raise BadFilterError(
            f"{flag} {value!r} is not a {kind.name} ARN: give arn:aws:braket:...:{kind.arn_resource}/..."
        )
    return arn


def _window(since: str | None, until: str | None) -> None:
    if since is not None and until is not None and since > until:
        raise BadFilterError(f"--since {since} is after --until {until}: swap them")


# -- filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilter:
    """What to list tasks by; None lists all. Checked and normalised when made (times as stored,
    statuses upper case), so a bad filter fails before any read."""

    device: str | None = None
    status: str | None = None
    since: str | datetime | None = None  # creation time, included; see parse_time for the forms
    until: str | datetime | None = None  # creation time, included (a date: the whole day)
    job: str | None = None
    tag: tuple[str, str] | None = None  # (key, value): parse_tag("KEY=VALUE")
    creator: str | None = None  # a principal as recorded (createdBy.principal), or "unknown"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "device", _arn_of_kind(self.device, registry.DEVICE, "--device"))
        set_(self, "job", _arn_of_kind(self.job, registry.JOB, "--job"))
        set_(self, "status", _status(self.status, registry.TASK))
        set_(self, "since", _bound(self.since, "since", end_of_day=False))
        set_(self, "until", _bound(self.until, "until", end_of_day=True))
        _window(self.since, self.until)  # type: ignore[arg-type]
        if self.tag is not None:
            tag = self.tag
            if not (isinstance(tag, tuple) and len(tag) == 2 and all(isinstance(part, str) for part in tag) and tag[0]):
                raise BadTagError(f"tag filter {tag!r} is not a (key, value) pair: give it as --tag project=vqe")
        if self.creator is not None and not self.creator.strip():
            raise BadFilterError("--creator is empty: give a principal ARN, or unknown")


@dataclass(frozen=True)
class JobFilter:
    """What to list hybrid jobs by; None lists all (see TaskFilter)."""

    status: str | None = None
    since: str | datetime | None = None
    until: str | datetime | None = None
    creator: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "status", _status(self.status, registry.JOB))
        set_(self, "since", _bound(self.since, "since", end_of_day=False))
        set_(self, "until", _bound(self.until, "until", end_of_day=True))
        _window(self.since, self.until)  # type: ignore[arg-type]
        if self.creator is not None and not self.creator.strip():
            raise BadFilterError("--creator is empty: give a principal ARN, or unknown")


# -- plans -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One filter: as DynamoDB evaluates it on an index entry, and as applied here to a latest state
    when the index does not copy what it reads (``attributes``)."""

    name: str
    attributes: tuple[str, ...]
    condition: Condition
    keeps: Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class ListingPlan:
    """Which index answers a listing, over which partitions and range of its sort key's time, with
    which filters; ``implied`` are the attributes every entry of those partitions has (byJob's job)."""

    kind: registry.Kind
    index: schema.IndexDefinition
    partitions: tuple[str, ...]
    start: str
    end: str
    order: str  # the row field the index orders by: "createdAt" or "statusTime"
    clauses: tuple[Clause, ...] = ()
    implied: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for humans (and the CLI's --explain): index, partitions, range, filters."""
        partitions = self.partitions[0] if len(self.partitions) == 1 else f"{len(self.partitions)} partitions, merged"
        filters = ", ".join(clause.name for clause in self.clauses) or "none"
        return (
            f"{self.index.name} ({partitions}), {self.order} order, "
            f"key time {self.start}..{self.end}, filters: {filters}"
        )


def _equals(name: str, attribute: str, value: str) -> Clause:
    return Clause(
        name,
        (attribute,),
        Condition(f"#{name} = :{name}", {f"#{name}": attribute}, {f":{name}": {"S": value}}),
        lambda record: record.get(attribute) == value,
    )


def _creator_clause(creator: str) -> Clause:
    condition = Condition(
        "#creator.#principal = :creator",
        {"#creator": "createdBy", "#principal": "principal"},
        {":creator": {"S": creator}},
    )
    if creator == UNKNOWN_PRINCIPAL:  # the latest state names no creator until CloudTrail's call is joined
        condition = Condition(
            f"attribute_not_exists(#creator) OR ({condition.expression})", condition.names, condition.values
        )
    return Clause("creator", ("createdBy",), condition, lambda record: _creator(record) == creator)


def _tag_clause(key: str, value: str) -> Clause:
    def keeps(record: Mapping[str, Any]) -> bool:
        tags = record.get("tags")
        return isinstance(tags, Mapping) and tags.get(key) == value

    return Clause(
        "tag",
        ("tags",),
        Condition("#tags.#tagKey = :tagValue", {"#tags": "tags", "#tagKey": key}, {":tagValue": {"S": value}}),
        keeps,
    )


def _created_clause(since: str | None, until: str | None) -> Clause:
    """Creation in [since, until], for an index sorted on another time (the first event's time stands
    in for a creation time Braket did not give, as in byDevice's and byJob's keys)."""
    start, end = since or _EARLIEST, until or _LATEST

    def keeps(record: Mapping[str, Any]) -> bool:
        created = record.get("createdAt") or record.get("eventTime") or ""
        return start <= created <= end

    return Clause(
        "created",
        ("createdAt", "eventTime"),
        Condition(
            "#created BETWEEN :createdFrom AND :createdTo OR "
            "(attribute_not_exists(#created) AND #statusTime BETWEEN :createdFrom AND :createdTo)",
            {"#created": "createdAt", "#statusTime": "eventTime"},
            {":createdFrom": {"S": start}, ":createdTo": {"S": end}},
        ),
        keeps,
    )


def _status_range(since: str | None) -> str:
    """byStatus's range start for tasks created at or after ``since`` (they reached any status later)."""
    if since is None:
        return _EARLIEST
    instant = parse_instant(since)
    assert instant is not None
    return format_instant(instant - STATUS_TIME_SLACK)


def _by_status(
    kind: registry.Kind, statuses: Iterable[str], since: str | None, until: str | None, clauses: list[Clause]
) -> ListingPlan:
    if since is not None or until is not None:
        clauses = [_created_clause(since, until), *clauses]
    return ListingPlan(
        kind,
        schema.STATUS_INDEX,
        tuple(kind.status_partition(status) for status in statuses),
        _status_range(since),
        _LATEST,
        "statusTime",
        tuple(clauses),
    )


def _every_status(kind: registry.Kind) -> list[str]:
    assert kind.lifecycle is not None
    return sorted(kind.lifecycle.statuses, key=lambda status: (kind.lifecycle.rank(status), status))  # type: ignore[union-attr]


def plan_tasks(task_filter: TaskFilter) -> ListingPlan:
    """The index that answers ``task_filter`` and how (see the module docstring and docs/listings.md)."""
    f = task_filter
    since, until = f.since, f.until
    assert since is None or isinstance(since, str)
    assert until is None or isinstance(until, str)
    rest: list[Clause] = []
    if f.creator is not None:
        rest.append(_creator_clause(f.creator.strip()))
    if f.tag is not None:
        rest.append(_tag_clause(*f.tag))
    task = registry.TASK
    if f.job is not None:
        clauses = [
            *([_equals("device", "deviceArn", f.device)] if f.device else []),
            *([_equals("status", "status", f.status)] if f.status else []),
            *rest,
        ]
        return ListingPlan(
            task,
            schema.JOB_INDEX,
            (f"{registry.JOB.key_prefix}{f.job}",),
            since or _EARLIEST,
            until or _LATEST,
            "createdAt",
            tuple(clauses),
            {"jobArn": f.job},
        )
    if f.device is not None and f.status is not None:
        return _by_status(task, [f.status], since, until, [_equals("device", "deviceArn", f.device), *rest])
    if f.device is not None:
        return ListingPlan(
            task,
            schema.DEVICE_INDEX,
            (f"{registry.DEVICE.key_prefix}{f.device}",),
            since or _EARLIEST,
            until or _LATEST,
            "createdAt",
            tuple(rest),
            {"deviceArn": f.device},
        )
    if f.status is not None:
        return _by_status(task, [f.status], since, until, rest)
    return _by_status(task, _every_status(task), since, until, rest)


def plan_jobs(job_filter: JobFilter) -> ListingPlan:
    """Jobs are in byStatus only (under JOB_STATUS#): one status, or every one merged by time."""
    f = job_filter
    assert f.since is None or isinstance(f.since, str)
    assert f.until is None or isinstance(f.until, str)
    rest = [_creator_clause(f.creator.strip())] if f.creator is not None else []
    statuses = [f.status] if f.status is not None else _every_status(registry.JOB)
    return _by_status(registry.JOB, statuses, f.since, f.until, rest)


# -- running a plan --------------------------------------------------------------------------------


def list_tasks(
    log: AuditLog,
    task_filter: TaskFilter | None = None,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    newest_first: bool = False,
) -> Iterator[TaskRow]:
    """Tasks matching ``task_filter``, streamed: ``page_size`` index entries a Query (and, when the
    index lacks what a row or filter reads, one BatchGetItem of those tasks' latest states)."""
    plan = plan_tasks(task_filter or TaskFilter())
    for record in run_plan(log, plan, TASK_ROW_ATTRIBUTES, page_size=page_size, newest_first=newest_first):
        yield task_row(record)


def list_jobs(
    log: AuditLog,
    job_filter: JobFilter | None = None,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    newest_first: bool = False,
) -> Iterator[JobRow]:
    """Hybrid jobs matching ``job_filter``, streamed as ``list_tasks``."""
    plan = plan_jobs(job_filter or JobFilter())
    for record in run_plan(log, plan, JOB_ROW_ATTRIBUTES, page_size=page_size, newest_first=newest_first):
        yield job_row(record)


def run_plan(
    log: AuditLog,
    plan: ListingPlan,
    needed: frozenset[str],
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    newest_first: bool = False,
) -> Iterator[dict[str, Any]]:
    """The records ``plan`` lists, with at least ``needed`` (what the index copies, what its
    partition implies, and the rest from the latest states)."""
    if page_size < 1:
        raise BadFilterError(f"page size {page_size} is below 1: give 1 to 1000")
    projected = log.projection_in_service(plan.index)

    def copied(attribute: str) -> bool:
        return projected is None or attribute in projected or attribute in plan.implied

    in_query = [clause for clause in plan.clauses if all(map(copied, clause.attributes))]
    here = [clause for clause in plan.clauses if clause not in in_query]
    condition = (
        reduce(lambda left, right: left & right, (clause.condition for clause in in_query)) if in_query else None
    )
    to_read = {name for name in needed if not copied(name)} | {name for clause in here for name in clause.attributes}
    streams = [
        log.index_entries(
            plan.index,
            partition,
            start=plan.start,
            end=plan.end,
            condition=condition,
            page_size=page_size,
            newest_first=newest_first,
        )
        for partition in plan.partitions
    ]
    # Each partition is in its sort key's time order; the merge keeps that order across them.
    order_attribute = "createdAt" if plan.order == "createdAt" else "eventTime"
    entries = (
        streams[0]
        if len(streams) == 1
        else heapq.merge(*streams, key=lambda entry: str(entry.get(order_attribute) or ""), reverse=newest_first)
    )
    arn_field = plan.kind.arn_field
    assert arn_field is not None
    for page in _pages(entries, page_size):
        states = log.latest_states([entry[arn_field] for entry in page], to_read) if to_read else {}
        for entry in page:
            record = {**plan.implied, **entry}
            if to_read:
                state = states.get(entry[arn_field])
                if state is None:  # gone since the index was read (its time to live)
                    continue
                record.update(state)
            if all(clause.keeps(record) for clause in here):
                yield record


def _pages(entries: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while page := list(itertools.islice(entries, size)):
        yield page
