"""The function's configuration, read from the environment once per container and validated."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from task_monitor.domain.retention import (
    DEFAULT_CALLER_DETAILS_DAYS,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_RETENTION,
    MAX_RETENTION_DAYS,
    Retention,
)
from task_monitor.domain.status import DEFAULT_NOTIFY_STATUSES, parse_status_list
from task_monitor.errors import ConfigurationError

if TYPE_CHECKING:
    from task_monitor.domain.budgets.model import Budget
    from task_monitor.domain.cost.price_table import PriceEntry

_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_QUEUE_URL = re.compile(r"^https://[A-Za-z0-9.-]+/\d{12}/[A-Za-z0-9_-]{1,80}$")
DEFAULT_SPENDING_LIMIT_THRESHOLDS = (50, 80, 100)
_QUEUE_ARN = re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$")
# How long a container prices with the stored price table before reading it again (docs/prices.md).
DEFAULT_PRICE_TABLE_REREAD_SECONDS = 6 * 3600
PRICE_TABLE_REREAD_RANGE = (60, 7 * 24 * 3600)


@dataclass(frozen=True)
class Settings:
    audit_table_name: str
    notification_topic_arn: str
    notify_statuses: frozenset[str]
    # Where invalid events from the queue go at once; unset, they wait for the queue's own redrive.
    dead_letter_queue_url: str | None = None
    # The events queue: a batch naming it arrived "queue"; any other (or all, unset) "otherQueue".
    events_queue_arn: str | None = None
    # How long items are kept (the table's time to live), and whether emails name callers in full.
    retention: Retention = DEFAULT_RETENTION
    notify_caller_details: bool = False
    # Seconds a container keeps the stored price table before reading it again.
    price_table_reread_seconds: int = DEFAULT_PRICE_TABLE_REREAD_SECONDS
    # Budgets from cdk.json (``BUDGETS``, JSON); none: the budget step is not even imported.
    budgets: tuple[Budget, ...] = ()
    # Percentages of a spending limit whose crossing by total spend is announced (SPENDING_LIMIT_THRESHOLDS).
    spending_limit_thresholds: tuple[int, ...] = DEFAULT_SPENDING_LIMIT_THRESHOLDS
    # cdk.json's ``prices``: entries replacing or adding to the shipped price table (docs/costs.md).
    price_overrides: tuple[PriceEntry, ...] = ()
    # Read a completed simulator task's executionDuration from its result object in S3 (docs/costs.md).
    simulator_exact_duration: bool = False
    # The audit table's index names while the stack migrates to new indexes (AUDIT_TABLE_INDEXES, set
    # by the stack only then: audit_schema.MIGRATION_STEPS); None once the final indexes are deployed.
    audit_table_indexes: frozenset[str] | None = None

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
        retention = Retention(
            history_days=_retention_days(env, "HISTORY_RETENTION_DAYS", DEFAULT_HISTORY_DAYS),
            caller_details_days=_retention_days(env, "CALLER_DETAILS_RETENTION_DAYS", DEFAULT_CALLER_DETAILS_DAYS),
        )
        caller_details = env.get("NOTIFY_CALLER_DETAILS", "false").strip().lower()
        if caller_details not in ("true", "false"):
            raise ConfigurationError(f"NOTIFY_CALLER_DETAILS must be true or false, got {caller_details!r}")
        reread_text = env.get("PRICE_TABLE_REREAD_SECONDS", "").strip() or str(DEFAULT_PRICE_TABLE_REREAD_SECONDS)
        low, high = PRICE_TABLE_REREAD_RANGE
        if not reread_text.isdigit() or not low <= int(reread_text) <= high:
            raise ConfigurationError(
                f"PRICE_TABLE_REREAD_SECONDS must be a whole number of seconds from {low} to {high}, "
                f"got {reread_text!r}"
            )
        thresholds = parse_thresholds(env.get("SPENDING_LIMIT_THRESHOLDS", ""))
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
            retention=retention,
            notify_caller_details=caller_details == "true",
            price_table_reread_seconds=int(reread_text),
            budgets=_budgets(env.get("BUDGETS", "").strip()),
            spending_limit_thresholds=thresholds,
            price_overrides=price_overrides,
            simulator_exact_duration=exact == "true",
            audit_table_indexes=_index_names(env.get("AUDIT_TABLE_INDEXES", "").strip()),
        )


def _index_names(text: str) -> frozenset[str] | None:
    """The table's index names during a migration (comma-separated); each must be one the schema knows."""
    if not text:
        return None
    from task_monitor import audit_schema

    known = {index.name for index in (*audit_schema.INDEXES, *audit_schema.LEGACY_INDEXES)}
    names = frozenset(name.strip() for name in text.split(","))
    if not names <= known:
        unknown = sorted(names - known)
        raise ConfigurationError(f"AUDIT_TABLE_INDEXES names unknown indexes {unknown}: known {sorted(known)}")
    try:
        for index in audit_schema.INDEXES:
            audit_schema.in_service(index, names)  # each listing has an index (new or old)
    except ValueError as error:
        raise ConfigurationError(f"AUDIT_TABLE_INDEXES: {error}") from None
    return names


def _retention_days(env: Mapping[str, str], name: str, default: int) -> int | None:
    """Days an item is kept; 0 keeps it until deleted (None)."""
    text = env.get(name, str(default)).strip()
    if not text.isdigit() or int(text) > MAX_RETENTION_DAYS:
        raise ConfigurationError(f"{name} must be 0 (kept) or 1..{MAX_RETENTION_DAYS} days, got {text!r}")
    return int(text) or None


def _budgets(text: str) -> tuple[Budget, ...]:
    """The budgets the stack passed, checked as ``infra/config.py`` checked them; parsed only if any."""
    if not text or text == "[]":
        return ()
    from task_monitor.domain.budgets.model import BudgetConfigError, parse_budgets

    try:
        return parse_budgets(text)
    except BudgetConfigError as error:
        raise ConfigurationError(f"BUDGETS: {error}") from error


def parse_thresholds(text: str) -> tuple[int, ...]:
    """SPENDING_LIMIT_THRESHOLDS: a comma list of whole percentages, 1 to 100 (default 50,80,100)."""
    if not text.strip():
        return DEFAULT_SPENDING_LIMIT_THRESHOLDS
    values = []
    for part in text.split(","):
        item = part.strip()
        if not (item.isascii() and item.isdigit() and 1 <= int(item) <= 100):
            raise ConfigurationError(
                f"SPENDING_LIMIT_THRESHOLDS must be whole percentages from 1 to 100, comma-separated, got {item!r}"
            )
        values.append(int(item))
    return tuple(sorted(set(values)))


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
