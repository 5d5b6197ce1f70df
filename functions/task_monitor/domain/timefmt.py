"""One time format for everything stored, so times sort as text in DynamoDB keys."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(value: object) -> datetime | None:
    """An ISO-8601 instant with a time zone (``Z`` or an offset), as a UTC datetime; else None."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else None
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def format_instant(moment: datetime) -> str:
    """UTC with milliseconds, e.g. ``2026-11-20T09:00:01.120Z`` (fixed width, sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def normalize_instant(value: object) -> str | None:
    parsed = parse_instant(value)
    return format_instant(parsed) if parsed else None


def seconds_between(start: str | None, end: str | None) -> float | None:
    """Seconds from start to end, both stored instants; None if either is unknown or end is earlier."""
    first, last = parse_instant(start), parse_instant(end)
    if first is None or last is None or last < first:
        return None
    return round((last - first).total_seconds(), 3)
