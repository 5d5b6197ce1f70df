"""Checks every kind's parser shares: the EventBridge envelope, text, times, and quoting bad values.

Each raises ``InvalidEventError`` naming the field, so a bad event is rejected before anything is
called or written, with an error a person can act on. ``OptionalFields`` is the tolerant reader for
kinds whose detail shape is unpublished (jobs, devices): there a wrong optional field is dropped and
named, never a reason to lose the event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from task_monitor.domain.arns import MAX_ARN_CHARACTERS, is_within_limit
from task_monitor.domain.detail_types import EVENT_SOURCE
from task_monitor.domain.status import is_status_shaped
from task_monitor.domain.timefmt import instant_from_epoch_ms, normalize_instant
from task_monitor.errors import InvalidEventError

# EventBridge ids are UUIDs; the id ends the event item's sort key, so it is bounded well below the
# 1,024 bytes DynamoDB allows a sort key (ASCII only: one byte a character).
_EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_QUOTED_CHARACTERS = 80  # of an offending value, in an error message (logged, and on the dead-letter queue)


@dataclass(frozen=True)
class Envelope:
    """The EventBridge fields every kind of event has, validated; ``detail`` is the kind's to check."""

    event_id: str
    event_time: str
    region: str | None
    detail: dict[str, Any]


def parse_envelope(event: Any, detail_type: str) -> Envelope:
    """Validate the envelope of an event of ``detail_type``; raise InvalidEventError naming the field."""
    if not isinstance(event, dict):
        raise InvalidEventError("$", f"expected a JSON object, got {type(event).__name__}")
    expect_equal(event, "source", EVENT_SOURCE)
    expect_equal(event, "detail-type", detail_type)
    event_id = required_text(event, "id", "id")
    if not is_event_id(event_id):
        raise InvalidEventError(
            "id", f"{quote_value(event_id)} is not an event id (up to 128 letters, digits, - . _ :)"
        )
    event_time = instant(event.get("time"), "time", required=True)
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise InvalidEventError("detail", "missing or not an object")
    return Envelope(
        event_id=event_id, event_time=event_time or "", region=optional_text(event, "region", "region"), detail=detail
    )


def is_event_id(value: object) -> bool:
    """True for a short id such as EventBridge gives events (a UUID); safe to log as a correlation id."""
    return isinstance(value, str) and _EVENT_ID.fullmatch(value) is not None


def quote_value(value: object) -> str:
    """The offending value for an error message, cut short: no payload may reach a log line."""
    if isinstance(value, str):
        head = repr(value[:_QUOTED_CHARACTERS])
        return head if len(value) <= _QUOTED_CHARACTERS else f"{head}... ({len(value)} characters)"
    if isinstance(value, dict | list):
        return "a JSON object" if isinstance(value, dict) else "a JSON array"
    try:
        return repr(value)[:_QUOTED_CHARACTERS]
    except ValueError:  # an int past 4,300 digits has no repr
        return "a number too long to show"


def too_long_for_an_arn(value: str) -> str:
    """The problem with text longer than any Braket ARN, saying the limit (and quoting only its start)."""
    return f"{value[:_QUOTED_CHARACTERS]!r}... is {len(value)} characters; Braket ARNs are at most {MAX_ARN_CHARACTERS}"


def invalid_arn(path: str, value: str, expected: str) -> InvalidEventError:
    """The error for ``value`` that did not parse as ``expected`` ("a hybrid job ARN"): longer than
    Braket allows (the parsers in ``arns`` read nothing longer), or not of that shape."""
    if not is_within_limit(value):
        return InvalidEventError(path, too_long_for_an_arn(value))
    return InvalidEventError(path, f"{quote_value(value)} is not {expected}")


def bounded_arn_text(value: str | None, path: str) -> str | None:
    """Text that stands for an ARN but is kept as text (a job's device: an ARN, or a local simulator's
    name): anything longer than a Braket ARN is not one."""
    if value is not None and not is_within_limit(value):
        raise InvalidEventError(path, too_long_for_an_arn(value))
    return value


def over_long_entries(entries: object) -> str:
    """For an error about a list of ARNs (``resources``): a note naming its entries too long to be one."""
    lengths = [len(entry) for entry in entries if isinstance(entry, str)] if isinstance(entries, list) else []
    over = [length for length in lengths if length > MAX_ARN_CHARACTERS]
    if not over:
        return ""
    count = "1 entry" if len(over) == 1 else f"{len(over)} entries"
    return (
        f"; {count} too long for an ARN (the longest {max(over)} characters; "
        f"Braket ARNs are at most {MAX_ARN_CHARACTERS})"
    )


def encodable(value: str, path: str) -> str:
    """JSON escapes can carry an unpaired surrogate (\\ud800) that DynamoDB and SNS cannot take."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEventError(path, "not valid Unicode (an unpaired surrogate)") from None
    return value


def expect_equal(event: dict, key: str, expected: str) -> None:
    if event.get(key) != expected:
        raise InvalidEventError(key, f"expected {expected!r}, got {quote_value(event.get(key))}")


def required_text(container: dict, key: str, path: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(path, "missing or not a non-empty string")
    return encodable(value, path)


def optional_text(container: dict, key: str, path: str) -> str | None:
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEventError(path, f"expected a string, got {type(value).__name__}")
    return encodable(value, path)


def instant(value: object, path: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    normalized = normalize_instant(value)
    if normalized is None:
        raise InvalidEventError(path, f"{quote_value(value)} is not an ISO-8601 time with a time zone, from 1970 on")
    return normalized


def status_in_any_case(value: object) -> str | None:
    """An ASCII status word in any case (``offline``), as Braket's upper case; None for anything else.

    ASCII only: ``str.upper`` turns some other letters into ASCII ones (the dotless i, U+0131, into
    ``I``), and a look-alike must not pass for a real status."""
    if not isinstance(value, str) or not value.isascii():
        return None
    upper = value.upper()
    return upper if is_status_shaped(upper) else None


class OptionalFields:
    """Reads the optional detail fields of an event whose shape AWS does not publish (jobs, devices).

    Such a field is a guess at the shape, so one of an unexpected type or form is dropped, and its
    path (``detail.startedAt``) kept in ``ignored`` for the record and a metric: a shape change is
    seen without losing the event. Blank text says nothing and counts as absent, not as ignored."""

    def __init__(self) -> None:
        self._ignored: set[str] = set()

    @property
    def ignored(self) -> tuple[str, ...]:
        """The paths dropped so far, sorted."""
        return tuple(sorted(self._ignored))

    def ignore(self, path: str) -> None:
        self._ignored.add(path)

    def text(self, container: dict[str, Any], key: str, path: str, *, limit: int | None = None) -> str | None:
        """Non-blank text DynamoDB and SNS can take (at most ``limit`` characters when given)."""
        value = container.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not _is_encodable(value) or (limit is not None and len(value) > limit):
            self.ignore(path)
            return None
        return value if value.strip() else None

    def instant(self, container: dict[str, Any], key: str, path: str) -> str | None:
        """An ISO-8601 time with a zone, or whole epoch milliseconds (as Braket's spend events send
        times) from 2019 to 2100; normalized to a stored instant."""
        value = container.get(key)
        if value is None:
            return None
        normalized = instant_from_epoch_ms(value) if isinstance(value, int) else normalize_instant(value)
        if normalized is None:
            self.ignore(path)
        return normalized

    def mapping(self, container: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        """A nested object to read further fields from; empty when absent or not an object."""
        value = container.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.ignore(path)
            return {}
        return value


def _is_encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate from a JSON escape
        return False
    return True
