"""The function's configuration, read from the environment once per container and validated."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from task_monitor.domain.status import DEFAULT_NOTIFY_STATUSES, parse_status_list
from task_monitor.errors import ConfigurationError

if TYPE_CHECKING:
    from task_monitor.domain.cost.price_table import PriceEntry

_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_QUEUE_URL = re.compile(r"^https://[A-Za-z0-9.-]+/\d{12}/[A-Za-z0-9_-]{1,80}$")
_QUEUE_ARN = re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$")


@dataclass(frozen=True)
class Settings:
    audit_table_name: str
    notification_topic_arn: str
    notify_statuses: frozenset[str]
    # Where invalid events from the queue go at once; unset, they wait for the queue's own redrive.
    dead_letter_queue_url: str | None = None
    # The events queue: a batch naming it arrived "queue"; any other (or all, unset) "otherQueue".
    events_queue_arn: str | None = None
    # cdk.json's ``prices``: entries replacing or adding to the shipped price table (docs/costs.md).
    price_overrides: tuple[PriceEntry, ...] = ()
    # Read a completed simulator task's executionDuration from its result object in S3 (docs/costs.md).
    simulator_exact_duration: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        table = env.get("AUDIT_TABLE_NAME", "").strip()
        if not _TABLE_NAME.fullmatch(table):
            raise ConfigurationError(
                f"AUDIT_TABLE_NAME must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got {table!r}"
            )
        topic = env.get("NOTIFICATION_TOPIC_ARN", "").strip()
        if not _TOPIC_ARN.fullmatch(topic):
            raise ConfigurationError(
                f"NOTIFICATION_TOPIC_ARN must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), "
                f"got {topic!r}"
            )
        statuses_text = env.get("NOTIFY_STATUSES", ",".join(DEFAULT_NOTIFY_STATUSES))
        try:
            statuses = parse_status_list(statuses_text)
        except ValueError as error:
            raise ConfigurationError(f"NOTIFY_STATUSES: {error}") from error
        dead_letters = env.get("DEAD_LETTER_QUEUE_URL", "").strip() or None
        if dead_letters is not None and not _QUEUE_URL.fullmatch(dead_letters):
            raise ConfigurationError(
                "DEAD_LETTER_QUEUE_URL must be an SQS queue URL "
                f"(https://sqs.<region>.amazonaws.com/<account>/<name>), got {dead_letters!r}"
            )
        events_queue = env.get("EVENTS_QUEUE_ARN", "").strip() or None
        if events_queue is not None and not _QUEUE_ARN.fullmatch(events_queue):
            raise ConfigurationError(
                "EVENTS_QUEUE_ARN must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>), "
                f"got {events_queue!r}"
            )
        price_overrides = _price_overrides(env.get("PRICE_OVERRIDES", "").strip())
        exact = env.get("SIMULATOR_EXACT_DURATION", "false").strip().lower()
        if exact not in {"true", "false"}:
            raise ConfigurationError(f"SIMULATOR_EXACT_DURATION must be true or false, got {exact!r}")
        return cls(
            audit_table_name=table,
            notification_topic_arn=topic,
            notify_statuses=statuses,
            dead_letter_queue_url=dead_letters,
            events_queue_arn=events_queue,
            price_overrides=price_overrides,
            simulator_exact_duration=exact == "true",
        )


def _price_overrides(text: str) -> tuple[PriceEntry, ...]:
    """PRICE_OVERRIDES: a JSON list of price table entries (infra/config.py checked them already).
    The price table's module is imported only when there are overrides: none costs no cold start."""
    if not text:
        return ()
    from task_monitor.domain.cost.price_table import InvalidPriceTable, parse_entries

    try:
        entries = json.loads(text)
    except ValueError as error:
        raise ConfigurationError(f"PRICE_OVERRIDES must be a JSON list of price entries: {error}") from error
    if not isinstance(entries, list):
        raise ConfigurationError("PRICE_OVERRIDES must be a JSON list of price entries")
    try:
        return tuple(parse_entries(entries, "PRICE_OVERRIDES"))
    except InvalidPriceTable as error:
        raise ConfigurationError(str(error)) from error
