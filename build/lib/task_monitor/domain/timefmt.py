"""One time format for everything stored, so times sort as text in DynamoDB keys."""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST_YEAR = 1970  # nothing Braket reports is older; keeps every stored time four-digit and sortable

# Epoch milliseconds (how Braket's spend events send times) are read only between these instants,
# 2019-01-01 and 2100-01-01 UTC: Braket is younger, and a number in seconds (about 1.8e9 today)
# reads as January 1970, so it is refused rather than misread.
EARLIEST_EPOCH_MS = 1_546_300_800_000
LATEST_EPOCH_MS = 4_102_444_800_000

# EventBridge's ``time`` has whole seconds while Braket's times have milliseconds, so an event
# can seem to happen up to a second before the creation it follows.
EVENT_TIME_RESOLUTION_SECONDS = 1.0


def parse_instant(value: object) -> datetime | None:
    """An ISO-8601 instant with a time zone (``Z`` or an offset), as a UTC datetime; else None."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        return None
    try:
        moment = parsed.astimezone(UTC)
    except OverflowError:  # an offset that pushes the instant outside what datetime can hold
        return None
    return moment if moment.year >= EARLIEST_YEAR else None


def format_instant(moment: datetime) -> str:
    """UTC with milliseconds, e.g. ``2026-11-20T09:00:01.120Z`` (fixed width, sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def normalize_instant(value: object) -> str | None:
    parsed = parse_instant(value)
    return format_instant(parsed) if parsed else None


def instant_from_epoch_ms(value: object) -> str | None:
    """A whole number of milliseconds since 1970 as a stored instant; None for anything else, or
    outside ``EARLIEST_EPOCH_MS``..``LATEST_EPOCH_MS`` (a bool is not a number here)."""
    if not isinstance(value, int) or isinstance(value, bool) or not EARLIEST_EPOCH_MS <= value < LATEST_EPOCH_MS:
        return None
    seconds, milliseconds = divmod(value, 1000)
    return format_instant(datetime.fromtimestamp(seconds, UTC).replace(microsecond=milliseconds * 1000))


def seconds_between(start: str | None, end: str | None) -> float | None:
    """Seconds from start to end, both stored instants; None if either is unknown or end is earlier
    by more than an event time's rounding (less than that counts as no time at all)."""
    first, last = parse_instant(start), parse_instant(end)
    if first is None or last is None:
        return None
    seconds = (last - first).total_seconds()
    if seconds < -EVENT_TIME_RESOLUTION_SECONDS:
        return None
    return round(max(seconds, 0.0), 3)
