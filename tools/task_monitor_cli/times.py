"""``--since`` and ``--until`` as datetimes, for the commands that need a window rather than a listing
filter (``report``, ``backfill``): the forms ``listings.parse_time`` reads (``7d``, ``12h``, ``2026-11-01``,
``2026-11-01T08:00Z``; no zone: UTC), each mistake one line naming the fix."""

from __future__ import annotations

from datetime import UTC, datetime

from task_monitor.domain.timefmt import parse_instant
from task_monitor_cli.errors import UsageError


def parse_moment(text: str, *, flag: str, now: datetime | None = None, end_of_day: bool = False) -> datetime:
    from task_monitor_cli.listings import ListingError, parse_time

    try:
        stored = parse_time(text, now=now, end_of_day=end_of_day)
    except ListingError as error:
        raise UsageError(f"{flag}: {error}") from None
    moment = parse_instant(stored)
    assert moment is not None  # parse_time writes only instants parse_instant reads
    return moment.astimezone(UTC)


def window(since: str, until: str | None) -> tuple[datetime, datetime]:
    """The ``[since, until)`` window the flags give (``until`` defaults to now)."""
    now = datetime.now(UTC)
    start = parse_moment(since, flag="--since", now=now)
    end = parse_moment(until, flag="--until", now=now) if until else now
    if start >= end:
        raise UsageError(f"--since ({start:%Y-%m-%dT%H:%M:%SZ}) must be before --until ({end:%Y-%m-%dT%H:%M:%SZ})")
    return start, end
