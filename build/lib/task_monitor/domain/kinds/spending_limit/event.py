"""Parse a ``Braket Spending Limit Spend Change`` event, tolerantly.

One published sample exists (the Braket Developer Guide, ``/work/shared/events/published``): amounts
are decimal strings in USD, ``timePeriod.startAt``/``endAt`` epoch **milliseconds**, the limit's ARN in
``detail.spendingLimitArn`` (and in ``resources``), the task that moved the spend in
``detail.quantumTaskArn``. Only what the timeline and the thresholds cannot do without rejects the
event: the envelope, the limit's ARN (``detail.spendingLimitArn``, else the one in ``resources``) and
the two amounts ``spendingLimit`` and ``totalSpend``. Everything else (queued spend, period, device,
task) is kept when well formed, otherwise dropped and named in ``ignored_fields``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from task_monitor.domain.arns import is_within_limit, parse_device_arn, parse_task_arn
from task_monitor.domain.registry import SPENDING_LIMIT
from task_monitor.domain.timefmt import format_instant
from task_monitor.domain.validation import OptionalFields, invalid_arn, over_long_entries, parse_envelope, quote_value
from task_monitor.errors import InvalidEventError

SPEND_CHANGE = SPENDING_LIMIT.detail_types[0]
SPENDING_LIMIT_ARN_SHAPE = "arn:aws:braket:<region>:<account>:spending-limit/<id>"
_SPENDING_LIMIT_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):braket:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):"
    r"(?P<account>\d{12}):spending-limit/(?P<id>[A-Za-z0-9][A-Za-z0-9-]{0,127})$"
)
# Amounts: plain decimals (no exponent), at most this many digits after the point and below the cap.
_AMOUNT = re.compile(r"^\d{1,13}(?:\.\d{1,10})?$")
MOST_USD = Decimal(10) ** 12
# Epoch milliseconds a period may carry: from 2000 to the year 9999 (Braket's sample ends in 2126).
_EARLIEST_MS, _LATEST_MS = 946_684_800_000, 253_402_300_799_999


@dataclass(frozen=True)
class SpendPeriod:
    """The limit's time window, as epoch milliseconds (its identity) and as instants (for people)."""

    start_ms: int
    end_ms: int

    @property
    def key(self) -> str:
        return f"{self.start_ms}-{self.end_ms}"

    def field(self) -> dict[str, object]:
        return {
            "startAt": _instant(self.start_ms),
            "endAt": _instant(self.end_ms),
            "startAtEpochMs": self.start_ms,
            "endAtEpochMs": self.end_ms,
        }


# The period of an event that names none: its own key, ordered before every dated period.
NO_PERIOD_KEY = "none"


@dataclass(frozen=True)
class SpendChange:
    """A validated spend event: amounts as ``Decimal`` (kept as the strings given in the record)."""

    event_id: str
    event_time: str
    event_region: str | None
    spending_limit_arn: str
    limit_region: str
    spending_limit: Decimal
    total_spend: Decimal
    queued_spend: Decimal | None
    period: SpendPeriod | None
    device_arn: str | None
    task_arn: str | None
    ignored_fields: tuple[str, ...] = ()

    @property
    def period_key(self) -> str:
        return self.period.key if self.period else NO_PERIOD_KEY


def parse_spend_change(event: object, detail_type: str = SPEND_CHANGE) -> SpendChange:
    """Validate a spend event; raise InvalidEventError naming the field otherwise."""
    envelope = parse_envelope(event, detail_type)
    detail = envelope.detail
    resources = event.get("resources") if isinstance(event, dict) else None
    limit_arn, region = _limit_arn(detail, resources)
    optional = OptionalFields()
    return SpendChange(
        event_id=envelope.event_id,
        event_time=envelope.event_time,
        event_region=envelope.region,
        spending_limit_arn=limit_arn,
        limit_region=region,
        spending_limit=required_amount(detail, "spendingLimit"),
        total_spend=required_amount(detail, "totalSpend"),
        queued_spend=_optional_amount(detail, "queuedSpend", optional),
        period=_period(detail, optional),
        device_arn=_optional_arn(detail, "deviceArn", optional, lambda text: parse_device_arn(text) is not None),
        task_arn=_optional_arn(detail, "quantumTaskArn", optional, lambda text: parse_task_arn(text) is not None),
        ignored_fields=optional.ignored,
    )


def parse_spending_limit_arn(value: str) -> re.Match[str] | None:
    return _SPENDING_LIMIT_ARN.fullmatch(value) if is_within_limit(value) else None


def _limit_arn(detail: dict[str, object], resources: object) -> tuple[str, str]:
    """``detail.spendingLimitArn``, else the single spending-limit ARN in ``resources``."""
    value = detail.get("spendingLimitArn")
    if value is not None:
        match = parse_spending_limit_arn(value) if isinstance(value, str) else None
        if match is None:
            if isinstance(value, str):
                raise invalid_arn(
                    "detail.spendingLimitArn", value, f"a spending limit ARN ({SPENDING_LIMIT_ARN_SHAPE})"
                )
            raise InvalidEventError("detail.spendingLimitArn", f"{quote_value(value)} is not a spending limit ARN")
        return str(value), match["region"]
    if not isinstance(resources, list):
        raise InvalidEventError(
            "detail.spendingLimitArn", "missing, and resources is not a list of ARNs to take it from"
        )
    found = {
        entry: match
        for entry in resources
        if isinstance(entry, str) and (match := parse_spending_limit_arn(entry)) is not None
    }
    if len(found) != 1:
        raise InvalidEventError(
            "detail.spendingLimitArn",
            f"missing, and resources name {len(found)} spending limit ARNs instead of exactly one"
            + over_long_entries(resources),
        )
    ((arn, match),) = found.items()
    return arn, match["region"]


def parse_amount(value: object) -> Decimal | None:
    """A non-negative USD amount as Braket sends it (a decimal string); a JSON integer is taken too.
    None for anything else (a float, an exponent, a sign, more than 10 decimals, 10^12 USD or more)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    return amount if amount < MOST_USD else None


def required_amount(detail: dict[str, object], name: str) -> Decimal:
    value = detail.get(name)
    if value is None:
        raise InvalidEventError(f"detail.{name}", 'missing (an amount in USD, such as "10.00")')
    amount = parse_amount(value)
    if amount is None:
        raise InvalidEventError(
            f"detail.{name}", f'{quote_value(value)} is not an amount in USD (a decimal string such as "10.00")'
        )
    return amount


def _optional_amount(detail: dict[str, object], name: str, optional: OptionalFields) -> Decimal | None:
    value = detail.get(name)
    if value is None:
        return None
    amount = parse_amount(value)
    if amount is None:
        optional.ignore(f"detail.{name}")
    return amount


def _period(detail: dict[str, object], optional: OptionalFields) -> SpendPeriod | None:
    """``timePeriod`` in epoch milliseconds, start before end; anything else is dropped and named."""
    period = optional.mapping(detail, "timePeriod", "detail.timePeriod")
    if not period:
        return None
    start, end = period.get("startAt"), period.get("endAt")
    if not (isinstance(start, int) and isinstance(end, int) and _is_epoch_ms(start) and _is_epoch_ms(end)) or (
        start >= end
    ):
        optional.ignore("detail.timePeriod")
        return None
    return SpendPeriod(start, end)


def _is_epoch_ms(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and _EARLIEST_MS <= value <= _LATEST_MS


def _instant(epoch_ms: int) -> str:
    seconds, milliseconds = divmod(epoch_ms, 1000)
    return format_instant(datetime.fromtimestamp(seconds, UTC).replace(microsecond=milliseconds * 1000))


def _optional_arn(detail: dict[str, object], name: str, optional: OptionalFields, valid: object) -> str | None:
    value = detail.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not callable(valid) or not valid(value):
        optional.ignore(f"detail.{name}")
        return None
    return value
