"""``--since`` and ``--until``: a duration back from now (``7d``, ``12h``, ``30m``, ``2w``) or a date or time
(``2026-11-01``, ``2026-11-01T08:00:00Z``); a date or time without a zone is UTC, as in the records."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from task_monitor_cli.errors import UsageError

_DURATION = re.compile(r"(\d+)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str, *, flag: str, now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    duration = _DURATION.fullmatch(text.strip())
    if duration:
        return now - timedelta(**{_UNITS[duration.group(2)]: int(duration.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is neither a duration (7d, 12h, 30m, 2w) nor a date or time "
            "(2026-11-01, 2026-11-01T08:00:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def window(since: str | None, until: str | None, *, default_since: str | None = None) -> tuple[datetime, datetime]:
    """The ``[since, until)`` window the flags give (``until`` defaults to now)."""
    now = datetime.now(UTC)
    start_text = since or default_since
    if start_text is None:
        raise UsageError("give --since (7d, or a date such as 2026-11-01)")
    start = parse_moment(start_text, flag="--since", now=now)
    end = parse_moment(until, flag="--until", now=now) if until else now
    if start >= end:
        raise UsageError(f"--since ({start:%Y-%m-%dT%H:%M:%SZ}) must be before --until ({end:%Y-%m-%dT%H:%M:%SZ})")
    return start, end
