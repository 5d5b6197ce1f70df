"""The report's figures, worked out from the tasks' latest states: pure, no AWS.

Input: task latest-state records as ``AuditLog`` returns them (plain dicts with the Braket API's
field names). Any field may be missing or malformed: such a task is still counted, what it lacks is
counted under ``Report.missing``, and the figure it cannot feed says over how many tasks it stands.

Window: a task belongs to the window when it was created in [since, until) (``createdAt``; its
``eventTime`` when the creation time is unknown). A task with neither time is left out and counted.

Money is ``Decimal`` throughout, summed from each record's ``estimatedCost.amountUsd`` and written as
decimal strings: these are estimates from list prices, never a bill. Durations are ``Decimal`` seconds
read from ``timings`` and written as decimal strings too (an observed value, never an interpolation:
see ``nearest_rank``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from task_monitor.domain.arns import device_label, parse_device_arn
from task_monitor.domain.cost.estimate import money
from task_monitor.domain.notification_model import format_duration

ENDED_STATUSES = ("COMPLETED", "FAILED", "CANCELLED")
IN_PROGRESS_STATUSES = ("CREATED", "QUEUED", "RUNNING", "CANCELLING")
GROUPINGS = ("device", "status", "job", "creator")
TAG_GROUPING_PREFIX = "tag:"
TOP_SPENDERS = 5
UNKNOWN_DEVICE = "(unknown device)"
UNKNOWN_STATUS = "(unknown status)"
UNKNOWN_CREATOR = "unknown"  # what the latest state says until the CloudTrail call is joined
NO_JOB = "(no job)"
ESTIMATE_WORDS = "estimated at list price: an estimate, never a bill"


@dataclass(frozen=True)
class Durations:
    """Seconds measured on some of a group's tasks: ``measured`` of them had the timing."""

    measured: int
    p50: Decimal | None
    p90: Decimal | None


@dataclass(frozen=True)
class Spend:
    """Estimated cost of a group: the sum over ``priced`` tasks; ``approximate`` when any estimate is,
    or when some task has no amount (``unpriced``)."""

    amount: Decimal
    priced: int
    unpriced: int
    approximate: bool


@dataclass(frozen=True)
class GroupFigures:
    """What the report says of one group of tasks (or of all of them, for the total)."""

    key: str
    tasks: int
    statuses: Mapping[str, int]
    queue_wait: Durations
    running: Durations
    shots_requested: int
    shots_successful: int
    shots_successful_known: int  # tasks whose numSuccessfulShots is known
    spend: Spend

    @property
    def failed(self) -> int:
        return self.statuses.get("FAILED", 0)

    @property
    def ended(self) -> int:
        return sum(self.statuses.get(status, 0) for status in ENDED_STATUSES)

    @property
    def in_progress(self) -> int:
        return sum(self.statuses.get(status, 0) for status in IN_PROGRESS_STATUSES)

    @property
    def failure_rate(self) -> Decimal | None:
        """FAILED over ended tasks (COMPLETED, FAILED, CANCELLED); None when none has ended."""
        return Decimal(self.failed) / Decimal(self.ended) if self.ended else None


@dataclass(frozen=True)
class Report:
    """The figures of one report: per group, in total, and the series the charts draw."""

    since: datetime
    until: datetime
    by: str
    groups: tuple[GroupFigures, ...]
    total: GroupFigures
    top_spenders: tuple[tuple[str, Decimal], ...]
    tasks_per_day_by_device: Mapping[str, Mapping[str, int]]  # day (YYYY-MM-DD, UTC) -> device -> tasks
    queue_wait_by_device: Mapping[str, Durations]
    spend_by_creator: Mapping[str, Decimal]
    spend_by_device: Mapping[str, Decimal]
    price_table_dates: tuple[str, ...]
    missing: Mapping[str, int]  # field -> tasks in the window without a usable value
    left_out: Mapping[str, int] = field(default_factory=dict)  # why -> tasks not in the window


def nearest_rank(values: Sequence[Decimal], percent: int) -> Decimal | None:
    """The nearest-rank percentile: the smallest value with at least ``percent`` % of the values at or
    below it, i.e. the ``ceil(percent / 100 * n)``-th smallest (1-based; the smallest for 0 %).

    Always an observed value (no interpolation), so p50 of [1, 2, 3, 4] is 2; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(Decimal(percent) / 100 * len(ordered)))
    return ordered[rank - 1]


def build_report(tasks: Iterable[Mapping[str, Any]], *, since: datetime, until: datetime, by: str) -> Report:
    """The report over the tasks created in [since, until), grouped ``by`` device, status, job, creator
    or ``tag:KEY`` (tasks without the tag form the group "(no KEY tag)"). Naive times are taken as UTC."""
    group_of = _grouping(by)
    since, until = _utc(since), _utc(until)
    if until <= since:
        raise ValueError(f"the report's window is empty: until ({until.isoformat()}) is not after since")
    missing: Counter[str] = Counter()
    left_out: Counter[str] = Counter()
    chosen: list[_Task] = []
    for record in tasks:
        task = _Task.read(record)
        if task.created is None:
            left_out["no createdAt or eventTime"] += 1
            continue
        if not since <= task.created < until:
            left_out["outside the window"] += 1
            continue
        missing.update(task.missing)
        chosen.append(task)

    by_group: dict[str, list[_Task]] = defaultdict(list)
    by_device: dict[str, list[_Task]] = defaultdict(list)
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for task in chosen:
        by_group[group_of(task)].append(task)
        by_device[task.device].append(task)
        if task.created is not None:  # always, in the window
            per_day[task.created.date().isoformat()][task.device] += 1
    groups = tuple(
        sorted((_figures(key, members) for key, members in by_group.items()), key=lambda g: (-g.tasks, g.key))
    )
    spend_by_creator = _spend_by(chosen, lambda task: task.creator)
    return Report(
        since=since,
        until=until,
        by=by,
        groups=groups,
        total=_figures("(all)", chosen),
        top_spenders=tuple(
            sorted(((c, a) for c, a in spend_by_creator.items() if a > 0), key=lambda item: (-item[1], item[0]))[
                :TOP_SPENDERS
            ]
        ),
        tasks_per_day_by_device={day: dict(sorted(per_day[day].items())) for day in sorted(per_day)},
        queue_wait_by_device={
            device: _durations([t.queued for t in members]) for device, members in sorted(by_device.items())
        },
        spend_by_creator=dict(sorted(spend_by_creator.items(), key=lambda item: (-item[1], item[0]))),
        spend_by_device=dict(
            sorted(_spend_by(chosen, lambda task: task.device).items(), key=lambda item: (-item[1], item[0]))
        ),
        price_table_dates=tuple(sorted({t.price_table_date for t in chosen if t.price_table_date})),
        missing=dict(sorted(missing.items())),
        left_out=dict(sorted(left_out.items())),
    )


# -- rows and JSON -------------------------------------------------------------------------------
ROW_COLUMNS = (
    "group",
    "tasks",
    "completed",
    "failed",
    "cancelled",
    "inProgress",
    "failureRate",
    "queueWaitP50Seconds",
    "queueWaitP90Seconds",
    "queueWaitMeasured",
    "runningP50Seconds",
    "runningMeasured",
    "shotsRequested",
    "shotsSuccessful",
    "estimatedCostUsd",
    "costApproximate",
    "unpricedTasks",
)


def report_rows(report: Report) -> list[dict[str, str | int]]:
    """One flat row per group (``ROW_COLUMNS``, in order): what the text, CSV and HTML tables show.

    Counts are ints; rates, seconds and money are strings ("" when unknown) so that nothing is a float."""
    return [group_row(group) for group in report.groups]


def total_row(report: Report) -> dict[str, str | int]:
    """The row of all the window's tasks together (its ``group`` is "(all)")."""
    return group_row(report.total)


def group_row(group: GroupFigures) -> dict[str, str | int]:
    return {
        "group": group.key,
        "tasks": group.tasks,
        "completed": group.statuses.get("COMPLETED", 0),
        "failed": group.failed,
        "cancelled": group.statuses.get("CANCELLED", 0),
        "inProgress": group.in_progress,
        "failureRate": percent_text(group.failure_rate),
        "queueWaitP50Seconds": seconds_text(group.queue_wait.p50),
        "queueWaitP90Seconds": seconds_text(group.queue_wait.p90),
        "queueWaitMeasured": group.queue_wait.measured,
        "runningP50Seconds": seconds_text(group.running.p50),
        "runningMeasured": group.running.measured,
        "shotsRequested": group.shots_requested,
        "shotsSuccessful": group.shots_successful,
        "estimatedCostUsd": money_text(group.spend.amount),
        "costApproximate": "yes" if group.spend.approximate else "no",
        "unpricedTasks": group.spend.unpriced,
    }


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON-safe values: money and seconds as decimal strings, counts as ints."""
    return {
        "window": {"since": _iso(report.since), "until": _iso(report.until), "tasksCreatedIn": "[since, until)"},
        "groupedBy": report.by,
        "money": {
            "currency": "USD",
            "estimated": True,
            "words": ESTIMATE_WORDS,
            "priceTableDates": list(report.price_table_dates),
        },
        "percentiles": "nearest-rank",
        "groups": [_group_json(group) for group in report.groups],
        "total": _group_json(report.total),
        "topSpenders": [
            {"creator": creator, "estimatedCostUsd": money_text(amount)} for creator, amount in report.top_spenders
        ],
        "charts": {
            "tasksPerDayByDevice": {day: dict(counts) for day, counts in report.tasks_per_day_by_device.items()},
            "queueWaitByDevice": {
                device: _durations_json(durations) for device, durations in report.queue_wait_by_device.items()
            },
            "estimatedSpendByCreatorUsd": {key: money_text(value) for key, value in report.spend_by_creator.items()},
            "estimatedSpendByDeviceUsd": {key: money_text(value) for key, value in report.spend_by_device.items()},
        },
        "missingFields": dict(report.missing),
        "leftOut": dict(report.left_out),
    }


def _group_json(group: GroupFigures) -> dict[str, Any]:
    return {
        "group": group.key,
        "tasks": group.tasks,
        "statuses": dict(group.statuses),
        "failureRate": {"failed": group.failed, "ended": group.ended, "percent": percent_text(group.failure_rate)},
        "queueWaitSeconds": _durations_json(group.queue_wait),
        "runningSeconds": _durations_json(group.running),
        "shots": {
            "requested": group.shots_requested,
            "successful": group.shots_successful,
            "successfulKnownFor": group.shots_successful_known,
        },
        "estimatedCost": {
            "amountUsd": money_text(group.spend.amount),
            "pricedTasks": group.spend.priced,
            "unpricedTasks": group.spend.unpriced,
            "approximate": group.spend.approximate,
        },
    }


def _durations_json(durations: Durations) -> dict[str, Any]:
    return {"measured": durations.measured, "p50": seconds_text(durations.p50), "p90": seconds_text(durations.p90)}


def money_text(amount: Decimal) -> str:
    """USD as the records write it: "0", or at least two decimals, at most six ("24.30", "0.008413")."""
    return money(amount)


def seconds_text(seconds: Decimal | None) -> str:
    """Seconds as a decimal string to the millisecond ("" when unknown)."""
    if seconds is None:
        return ""
    return format(seconds.quantize(Decimal("0.001")).normalize(), "f")


SECONDS_COLUMNS = ("queueWaitP50Seconds", "queueWaitP90Seconds", "runningP50Seconds")


def shown_row(row: Mapping[str, str | int]) -> dict[str, str | int]:
    """A row as a person reads it (the text table and the page's cells): durations in h/min/s, money to
    the cent (two significant digits below it) marked ``~`` where approximate. The exact decimals stay
    in ``report_rows``, the CSV, the JSON and the page's ``data-value``s."""
    shown = dict(row)
    for column in SECONDS_COLUMNS:
        if row[column] != "":
            shown[column] = format_duration(float(row[column])) or ""
    amount = Decimal(str(row["estimatedCostUsd"]))
    shown["estimatedCostUsd"] = money_shown(amount, approximate=row["costApproximate"] == "yes")
    return shown


def money_shown(amount: Decimal, *, approximate: bool) -> str:
    """``$128.91``, ``~$0.0084``, ``$0``: an estimate rounded for reading (never a bill)."""
    if amount == 0:
        rounded = "0"
    elif abs(amount) < Decimal("0.01"):
        rounded = format(amount.quantize(Decimal(1).scaleb(amount.adjusted() - 1)), "f")
    else:
        rounded = format(amount.quantize(Decimal("0.01")), "f")
    return f"{'~' if approximate else ''}${rounded}"


def percent_text(ratio: Decimal | None) -> str:
    """A ratio as a percentage with one decimal ("25.0%"; "" when there is nothing to divide)."""
    if ratio is None:
        return ""
    return f"{(ratio * 100).quantize(Decimal('0.1'))}%"


# -- reading one record --------------------------------------------------------------------------
@dataclass
class _Task:
    """The few facts of a latest state the report uses, each None when the record lacks it."""

    status: str
    device: str
    creator: str
    job: str
    tags: Mapping[str, str]
    created: datetime | None
    shots: int | None
    successful: int | None
    queued: Decimal | None
    running: Decimal | None
    amount: Decimal | None
    approximate: bool
    price_table_date: str | None
    missing: list[str]

    @classmethod
    def read(cls, record: Mapping[str, Any]) -> _Task:
        missing: list[str] = []

        def note(name: str, value: Any) -> Any:
            if value is None:
                missing.append(name)
            return value

        status = note("status", _text(record.get("status"))) or UNKNOWN_STATUS
        device_arn = note("deviceArn", _text(record.get("deviceArn")))
        created = _instant(record.get("createdAt"))
        if created is None:
            missing.append("createdAt")
            created = _instant(record.get("eventTime"))
        created_by = record.get("createdBy")
        principal = _text(created_by.get("principal")) if isinstance(created_by, Mapping) else None
        timings = record.get("timings")
        timings = timings if isinstance(timings, Mapping) else {}
        estimate = record.get("estimatedCost")
        estimate = estimate if isinstance(estimate, Mapping) else {}
        tags = record.get("tags")
        successful = _count(record.get("numSuccessfulShots"))
        if successful is None and status == "COMPLETED":
            missing.append("numSuccessfulShots")
        amount = note("estimatedCost.amountUsd", _usd(estimate.get("amountUsd")))
        return cls(
            status=status,
            device=_device(device_arn),
            creator=note("createdBy", principal) or UNKNOWN_CREATOR,
            job=_text(record.get("jobArn")) or NO_JOB,
            tags={str(k): str(v) for k, v in tags.items()} if isinstance(tags, Mapping) else {},
            created=created,
            shots=note("shots", _count(record.get("shots"))),
            successful=successful,
            queued=note("timings.queuedSeconds", _seconds(timings.get("queuedSeconds"))),
            running=_seconds(timings.get("runningSeconds")),
            amount=amount,
            approximate=estimate.get("approximate") is not False,
            price_table_date=_text(estimate.get("priceTableDate")),
            missing=missing,
        )


def _grouping(by: str) -> Callable[[_Task], str]:
    """The function naming a task's group for ``by`` (ValueError naming the choices otherwise)."""
    if by == "device":
        return lambda task: task.device
    if by == "status":
        return lambda task: task.status
    if by == "job":
        return lambda task: task.job
    if by == "creator":
        return lambda task: task.creator
    if by.startswith(TAG_GROUPING_PREFIX) and by[len(TAG_GROUPING_PREFIX) :]:
        key = by[len(TAG_GROUPING_PREFIX) :]
        return lambda task: task.tags.get(key, f"(no {key} tag)")
    raise ValueError(f"cannot group the report by {by!r}: use device, status, job, creator or tag:KEY")


def _figures(key: str, tasks: Sequence[_Task]) -> GroupFigures:
    priced = [task for task in tasks if task.amount is not None]
    return GroupFigures(
        key=key,
        tasks=len(tasks),
        statuses=dict(sorted(Counter(task.status for task in tasks).items())),
        queue_wait=_durations([task.queued for task in tasks]),
        running=_durations([task.running for task in tasks]),
        shots_requested=sum(task.shots or 0 for task in tasks),
        shots_successful=sum(task.successful or 0 for task in tasks),
        shots_successful_known=sum(task.successful is not None for task in tasks),
        spend=Spend(
            amount=sum((task.amount for task in priced if task.amount is not None), Decimal(0)),
            priced=len(priced),
            unpriced=len(tasks) - len(priced),
            approximate=len(priced) < len(tasks) or any(task.approximate for task in priced),
        ),
    )


def _durations(values: Iterable[Decimal | None]) -> Durations:
    known = [value for value in values if value is not None]
    return Durations(measured=len(known), p50=nearest_rank(known, 50), p90=nearest_rank(known, 90))


def _spend_by(tasks: Iterable[_Task], key: Callable[[_Task], str]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for task in tasks:
        if task.amount is not None:
            totals[key(task)] += task.amount
    return dict(totals)


def _device(arn: str | None) -> str:
    """A device's short name ("ionq/Forte-1"); the ARN itself when it is not a device ARN."""
    if arn is None:
        return UNKNOWN_DEVICE
    parsed = parse_device_arn(arn)
    return device_label(parsed.provider, parsed.name) if parsed else arn


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(value: Any) -> int | None:
    """A non-negative whole number (int, or a Decimal as DynamoDB gives it), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value() and value >= 0:
        return int(value)
    return None


def _seconds(value: Any) -> Decimal | None:
    """A finite, non-negative number of seconds as an exact Decimal (from its shortest repr), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number if number.is_finite() and number >= 0 else None


def _usd(value: Any) -> Decimal | None:
    """The decimal string of an ``amountUsd``, else None (absent, not a number, negative, NaN)."""
    if not isinstance(value, str):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _instant(value: Any) -> datetime | None:
    """An ISO-8601 time as an aware UTC datetime ("Z" or an offset; naive taken as UTC), else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    return _utc(parsed)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
