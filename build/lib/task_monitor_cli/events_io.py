"""Events from files, stdin or the dead-letter queue, in every shape a person may have them."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from task_monitor_cli.errors import UsageError


@dataclass(frozen=True)
class Replayed:
    """An event to replay and, for a dead letter, its message id (and where to delete it once done)."""

    event: Any
    dead_letter_message_id: str | None = None
    receipt_handle: str | None = None


class DeadLetterQueue:
    """The deployed dead-letter queue, read for a replay: every message, hidden while it is replayed."""

    VISIBILITY_SECONDS = 900  # long enough for a replay of every message received

    def __init__(self, url: str, sqs: Any) -> None:
        self.url = url
        self._sqs = sqs

    def receive_all(self) -> list[Replayed]:
        replays: list[Replayed] = []
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=self.VISIBILITY_SECONDS
            ).get("Messages", [])
            if not messages:
                return replays
            for message in messages:
                replays += [
                    Replayed(event, message["MessageId"], message["ReceiptHandle"])
                    for event in _unwrap(_json_or_text(message["Body"]))
                ]

    def delete(self, receipt_handle: str) -> None:
        self._sqs.delete_message(QueueUrl=self.url, ReceiptHandle=receipt_handle)


def load_events(paths: Iterable[str]) -> list[Any]:
    """Events from files (or - for stdin): an event, a list of events, JSON lines, dead-letter
    messages as ``aws sqs receive-message`` prints them, an SQS batch as Lambda receives it, or
    Lambda destination records."""
    return [replayed.event for replayed in load_replays(paths)]


def load_replays(paths: Iterable[str]) -> list[Replayed]:
    """The events of ``load_events``, each with its dead-letter message id when the file holds dead
    letters as ``aws sqs receive-message`` prints them (a message with its ``MessageId``)."""
    replays: list[Replayed] = []
    for path in paths:
        for document in _documents(path):
            replays.extend(_dead_letters(document) or [Replayed(event) for event in _unwrap(document)])
    return replays


def _dead_letters(document: Any) -> list[Replayed]:
    """``aws sqs receive-message`` output: each message's events with its message id (else nothing)."""
    if not isinstance(document, dict) or not isinstance(document.get("Messages"), list):
        return []
    replays: list[Replayed] = []
    for message in document["Messages"]:
        message_id = message.get("MessageId") if isinstance(message, dict) else None
        events = _unwrap(message)
        replays += [Replayed(event, message_id if isinstance(message_id, str) else None) for event in events]
    return replays


def _documents(path: str) -> list[Any]:
    """The JSON documents in a file: one, or one per line (JSON lines)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(
            f"cannot read {path}: {error.strerror}; give the path of an event file, or - for stdin"
        ) from None
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        pass
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise UsageError(
                f"{path} line {number} is not JSON ({error.msg}); give one JSON document, or one per line"
            ) from None
    return documents


def _unwrap(document: Any) -> list[Any]:
    if isinstance(document, list):
        return [event for item in document for event in _unwrap(item)]
    if isinstance(document, dict):
        if "requestPayload" in document:  # Lambda on-failure destination record
            return [document["requestPayload"]]
        if "Messages" in document:  # aws sqs receive-message output
            return [event for message in document["Messages"] for event in _unwrap(message)]
        if "Body" in document and isinstance(document["Body"], str):  # one SQS message
            return _unwrap(_json_or_text(document["Body"]))
        if set(document) == {"Records"} and isinstance(document["Records"], list):  # an SQS batch for Lambda
            return [event for record in document["Records"] for event in _unwrap(_sqs_body(record))]
    return [document]


def _json_or_text(body: str) -> Any:
    """A message body that is not JSON is kept as text: the handler then says why it is invalid."""
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return body


def _sqs_body(record: Any) -> Any:
    return _json_or_text(record["body"]) if isinstance(record, dict) and isinstance(record.get("body"), str) else record
