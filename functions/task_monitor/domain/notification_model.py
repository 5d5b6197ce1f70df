"""What every kind's notification is made of: the message, its filter attributes, shared formatting."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SUBJECT_LIMIT = 99  # SNS subjects are ASCII, under 100 characters


@dataclass(frozen=True)
class Notification:
    subject: str
    email_text: str
    json_body: str
    attributes: dict[str, dict[str, str]]

    def sns_message(self) -> str:
        """The message for ``MessageStructure='json'``: email subscribers get the text, all others JSON."""
        return json.dumps({"default": self.json_body, "email": self.email_text})


def ascii_subject(subject: str) -> str:
    """SNS subjects must be ASCII and under 100 characters."""
    return subject.encode("ascii", "replace").decode("ascii")[:SUBJECT_LIMIT]


def fact_lines(facts: Sequence[tuple[str, str | None]]) -> list[str]:
    """One fact a line, labels aligned, only the facts that have something to say."""
    width = max(len(label) for label, _ in facts)
    return [f"{label.ljust(width)}  {value}" for label, value in facts if value]


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
