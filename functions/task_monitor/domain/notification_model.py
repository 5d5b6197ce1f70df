"""What every kind's notification is made of: the message, its filter attributes, shared formatting.

Each kind's renderer says what is particular to it (its subject, heading, fact lines, notes, filter
attributes and console page); ``compose`` makes them one Notification the same way for every kind: the
email laid out alike, the JSON for machine subscribers the record plus ``kind`` and ``schemaVersion``,
the ``kind`` attribute for filter policies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SUBJECT_LIMIT = 99  # SNS subjects are ASCII, under 100 characters
# What a reader's terminal or mail client would act on rather than show: C0 controls, DEL, C1 controls,
# the line and paragraph separators, and the bidirectional controls (which reorder what follows them).
_OTHER_UNSAFE = "\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x1f{_OTHER_UNSAFE}]")
_UNSAFE_EXCEPT_NEWLINE = re.compile(f"[\\x00-\\x09\\x0b-\\x1f{_OTHER_UNSAFE}]")
# The version of the published JSON's record format. Raised when a field is renamed, removed or changes
# meaning (adding a field does not raise it), so a subscriber can tell which format it reads: see the
# docs/notifications.md for the history.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Notification:
    subject: str
    email_text: str
    json_body: str
    attributes: dict[str, dict[str, str]]

    def sns_message(self) -> str:
        """The message for ``MessageStructure='json'``: email subscribers get the text, all others JSON."""
        return json.dumps({"default": self.json_body, "email": self.email_text})


def compose(
    *,
    kind: str,
    record: Mapping[str, Any],
    subject: str,
    email_text: str,
    attributes: Mapping[str, dict[str, str]],
    console_url: str | None = None,
) -> Notification:
    """One kind's notification: its subject (made ASCII), its email (``compose_email``), the record as
    JSON with ``kind``, ``schemaVersion`` and the console link, and its attributes after ``kind``."""
    body = {**record, "kind": kind, "schemaVersion": SCHEMA_VERSION}
    if console_url:
        body["consoleUrl"] = console_url
    return Notification(
        subject=ascii_subject(subject),
        email_text=email_text,
        json_body=json.dumps(body, sort_keys=True),
        attributes={"kind": string_attribute(kind), **attributes},
    )


def compose_email(heading: str, facts: Sequence[tuple[str, str | None]], notes: Sequence[str], footer: str) -> str:
    """The plain-text email every kind sends: a heading, one fact a line, each note apart, the event.
    Every part is shown with ``safe_text``: one fact is one line, whatever its value holds (a note may
    be laid out in lines of its own)."""
    text = [safe_text(heading), "", *fact_lines(facts)]
    for note in notes:
        text += ["", safe_text(note, keep_newlines=True)]
    text += ["", safe_text(footer)]
    return "\n".join(text) + "\n"


def ascii_subject(subject: str) -> str:
    """SNS subjects must be ASCII and under 100 characters; controls are escaped first (ESC is ASCII)."""
    return safe_text(subject).encode("ascii", "replace").decode("ascii")[:SUBJECT_LIMIT]


def fact_lines(facts: Sequence[tuple[str, str | None]]) -> list[str]:
    """One fact a line, labels aligned, only the facts that have something to say (shown safely)."""
    width = max(len(label) for label, _ in facts)
    return [f"{label.ljust(width)}  {safe_text(value)}" for label, value in facts if value]


def safe_text(text: str, *, keep_newlines: bool = False) -> str:
    """Text from an event or the table as a person may be shown it: every control character (C0, DEL,
    C1), line or paragraph separator and bidirectional control escaped as ``\\x1b`` or ``\\u2028``, so
    it cannot colour a terminal, ring its bell, start a line of its own or reorder what follows.

    Only for display (emails, subjects, the CLI): stored and published JSON values stay as they came.
    ``keep_newlines`` leaves ``\\n`` alone, for text whose lines the caller laid out itself."""
    pattern = _UNSAFE_EXCEPT_NEWLINE if keep_newlines else _UNSAFE
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def braket_console_url(region: str, page: str) -> str:
    """A page of the Braket console in ``region``: ``tasks/<arn>``, ``jobs/<arn>``, ``devices/<arn>``."""
    return f"https://{region}.console.aws.amazon.com/braket/home?region={region}#/{page}"


def tags_attribute(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags as a String.Array of ``key=value``, so a filter policy can match one tag."""
    return {
        "DataType": "String.Array",
        "StringValue": json.dumps([f"{key}={value}" for key, value in sorted(tags.items())]),
    }


def string_attribute(value: str) -> dict[str, str]:
    """A String message attribute, for subscription filter policies."""
    return {"DataType": "String", "StringValue": value}


def format_duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} h {minutes:02d} min {secs:02d} s" if hours else f"{minutes} min {secs:02d} s"
