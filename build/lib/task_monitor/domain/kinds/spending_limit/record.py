"""The audit record of one spend event, the order of a limit's states, and which thresholds it crossed.

Plain JSON values, amounts as the decimal strings Braket sent (USD), so it is what DynamoDB stores
(``SPENDING_LIMIT#<spendingLimitArn>``: one item per event plus the latest state) and what subscribers
receive. The latest state never moves backwards: it is ordered by period (a later ``startAt``
supersedes an earlier one), then by total spend within a period (spend only grows inside a period),
then by event time (``spend_rank``, the store's ``statusRank`` for this kind).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any, Required, TypedDict, cast

from task_monitor.domain.arrival import ArrivalField
from task_monitor.domain.kinds.spending_limit.event import MOST_USD, SPEND_CHANGE, SpendChange

DEFAULT_THRESHOLDS: tuple[int, ...] = (50, 80, 100)
WITHIN_LIMIT, LIMIT_REACHED = "WITHIN_LIMIT", "LIMIT_REACHED"
SPEND_BASIS = "as reported by Amazon Braket in its spend event (USD; Braket's own accounting, not a bill)"
# spend_rank: period start (ms) above total spend (in nano-dollars): 13 + 21 digits, within DynamoDB's 38.
_SPEND_SCALE = Decimal(10) ** 9
_PERIOD_WEIGHT = int(MOST_USD * _SPEND_SCALE)


class SpendRecord(TypedDict, total=False):
    """One event in a spending limit's timeline (or, as ``LATEST``, the limit's spend now)."""

    eventId: Required[str]
    eventTime: Required[str]
    detailType: Required[str]
    spendingLimitArn: Required[str]
    status: Required[str]  # WITHIN_LIMIT or LIMIT_REACHED (total spend at or above the limit)
    currency: Required[str]  # USD
    spendingLimit: Required[str]  # decimal strings as Braket sent them
    totalSpend: Required[str]
    queuedSpend: str
    percentOfLimit: str  # totalSpend / spendingLimit, in percent, one decimal, rounded down
    basis: Required[str]
    timePeriod: dict[str, Any]  # startAt/endAt (ISO 8601 UTC) and startAtEpochMs/endAtEpochMs
    periodKey: Required[str]  # "<startMs>-<endMs>", or "none" when the event named no period
    region: str
    deviceArn: str
    quantumTaskArn: str  # the task that moved the spend
    thresholdReached: int  # the highest configured threshold (percent) total spend is at or above
    ignoredFields: list[str]
    arrival: ArrivalField


def highest_threshold(total: Decimal, limit: Decimal, thresholds: Sequence[int]) -> int | None:
    """The highest threshold (percent of the limit) ``total`` has reached; None below all, or for a 0 limit."""
    if limit <= 0:
        return None
    reached = [threshold for threshold in thresholds if total * 100 >= limit * threshold]
    return max(reached) if reached else None


def percent_of_limit(total: Decimal, limit: Decimal) -> str | None:
    if limit <= 0:
        return None
    return str((total * 100 / limit).quantize(Decimal("0.1"), rounding=ROUND_DOWN))


def spend_rank(record: Mapping[str, Any]) -> int:
    """The latest state's order: period start, then total spend (always at least 1, so never "unknown")."""
    period = record.get("timePeriod") or {}
    start = int(period.get("startAtEpochMs", 0))
    spend = int(Decimal(str(record["totalSpend"])) * _SPEND_SCALE)
    return 1 + start * _PERIOD_WEIGHT + spend


def build_spend_record(
    change: SpendChange, *, thresholds: Sequence[int] = DEFAULT_THRESHOLDS, arrival: ArrivalField | None = None
) -> SpendRecord:
    reached = highest_threshold(change.total_spend, change.spending_limit, thresholds)
    record: dict[str, Any] = {
        "eventId": change.event_id,
        "eventTime": change.event_time,
        "detailType": SPEND_CHANGE,
        "spendingLimitArn": change.spending_limit_arn,
        "status": LIMIT_REACHED if change.total_spend >= change.spending_limit else WITHIN_LIMIT,
        "currency": "USD",
        "spendingLimit": str(change.spending_limit),
        "totalSpend": str(change.total_spend),
        "queuedSpend": None if change.queued_spend is None else str(change.queued_spend),
        "percentOfLimit": percent_of_limit(change.total_spend, change.spending_limit),
        "basis": SPEND_BASIS,
        "timePeriod": change.period.field() if change.period else None,
        "periodKey": change.period_key,
        "region": change.limit_region,
        "deviceArn": change.device_arn,
        "quantumTaskArn": change.task_arn,
        "thresholdReached": reached,
        "ignoredFields": list(change.ignored_fields) or None,
        "arrival": arrival,
    }
    return cast(SpendRecord, {key: value for key, value in record.items() if value is not None})
