"""A budget as declared in ``cdk.json`` (context ``budgets``): parsed and checked once, here.

Shared by the stack (``infra/config.py``, which stops ``cdk synth`` on a bad value) and the function
(``settings.py``, which reads the JSON the stack passed in ``BUDGETS``), so both refuse the same
values with the same message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

BY_CREATOR = "creator"
BY_TAG = "tag"
BY_DEVICE = "device"
BUDGET_KINDS = (BY_CREATOR, BY_TAG, BY_DEVICE)
DEFAULT_THRESHOLDS = (50, 80, 100)
# One apply is one TransactWriteItems (100 items at most): per budget up to four items change (the old
# and the new month's total, the old and the new creator's sub-total), plus the task's own item.
MAX_BUDGETS = 20
MAX_THRESHOLDS = 10
MAX_THRESHOLD_PERCENT = 1000

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\x21-\x7e]{1,1900}$")
_DEVICE = re.compile(r"^arn:aws[a-z-]*:braket:[a-z0-9-]*::device/[A-Za-z0-9_./-]{1,256}$")
_TAG_PART = re.compile(r"^[^=,\x00-\x1f]{1,256}$")
_MONEY = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
_KEYS = frozenset({"name", "by", "match", "monthlyUsd", "thresholds"})


class BudgetConfigError(ValueError):
    """A budget that cannot be kept; the message names the budget (by position and name) and the field."""


@dataclass(frozen=True)
class Budget:
    """A monthly amount for the tasks of one creator, one tag (``key=value``) or one device."""

    name: str
    by: str  # creator | tag | device
    match: str  # the principal ARN, ``key=value``, or the device ARN
    monthly_usd: Decimal
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS  # percents of monthly_usd, ascending

    @property
    def tag(self) -> tuple[str, str]:
        key, _, value = self.match.partition("=")
        return key, value

    def threshold_usd(self, percent: int) -> Decimal:
        return (self.monthly_usd * percent / 100).quantize(Decimal("0.01"))

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "by": self.by,
            "match": self.match,
            "monthlyUsd": str(self.monthly_usd),
            "thresholds": list(self.thresholds),
        }


def parse_budgets(value: Any) -> tuple[Budget, ...]:
    """A list of budget declarations (a JSON list or its text), each checked; BudgetConfigError on the first
    bad one, naming it."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError as error:
            raise BudgetConfigError(f"not valid JSON ({error.msg})") from None
    if not isinstance(value, list):
        raise BudgetConfigError(f"expected a list of budgets, got {type(value).__name__}")
    if len(value) > MAX_BUDGETS:
        raise BudgetConfigError(
            f"at most {MAX_BUDGETS} budgets (one task's update is one transaction), got {len(value)}"
        )
    budgets = tuple(_budget(position, entry) for position, entry in enumerate(value))
    names = [budget.name for budget in budgets]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise BudgetConfigError(f"budget names must be unique (a name is the budget's identity): {duplicated}")
    return budgets


def budgets_json(budgets: Sequence[Budget]) -> str:
    """The budgets as the function's ``BUDGETS`` environment variable carries them."""
    return json.dumps([budget.as_json() for budget in budgets], separators=(",", ":"))


def _budget(position: int, entry: Any) -> Budget:
    where = f"budget #{position + 1}"
    if not isinstance(entry, dict):
        raise BudgetConfigError(f"{where}: expected an object with name, by, match, monthlyUsd, thresholds")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise BudgetConfigError(f"{where}: name must be 1-64 of A-Z a-z 0-9 _ . -, got {name!r}")
    where = f"{where} ({name})"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise BudgetConfigError(f"{where}: unknown field(s) {unknown}; fields are {sorted(_KEYS)}")
    by = entry.get("by")
    if by not in BUDGET_KINDS:
        raise BudgetConfigError(f"{where}: by must be one of {', '.join(BUDGET_KINDS)}, got {by!r}")
    match = entry.get("match")
    if not isinstance(match, str):
        raise BudgetConfigError(f"{where}: match must be a string, got {match!r}")
    _check_match(where, by, match)
    return Budget(
        name=name,
        by=by,
        match=match,
        monthly_usd=_monthly(where, entry.get("monthlyUsd")),
        thresholds=_thresholds(where, entry.get("thresholds", list(DEFAULT_THRESHOLDS))),
    )


def _check_match(where: str, by: str, match: str) -> None:
    if by == BY_CREATOR and not _PRINCIPAL.fullmatch(match):
        raise BudgetConfigError(
            f"{where}: match must be the creator's principal ARN (arn:aws:iam::<account>:role/<name> or "
            f":user/<name>, as createdBy.principal records it), got {match!r}"
        )
    if by == BY_DEVICE and not _DEVICE.fullmatch(match):
        raise BudgetConfigError(
            f"{where}: match must be a Braket device ARN (arn:aws:braket:<region>::device/...), got {match!r}"
        )
    if by == BY_TAG:
        key, equals, value = match.partition("=")
        if not equals or not _TAG_PART.fullmatch(key) or not _TAG_PART.fullmatch(value):
            raise BudgetConfigError(f"{where}: match must be one tag as key=value, got {match!r}")


def _monthly(where: str, value: Any) -> Decimal:
    text = value if isinstance(value, str) else None
    if text is None or not _MONEY.fullmatch(text):
        raise BudgetConfigError(
            f'{where}: monthlyUsd must be a decimal string of US dollars such as "500" or "99.50", got {value!r}'
        )
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise BudgetConfigError(f"{where}: monthlyUsd {value!r} is not a number") from None
    if amount <= 0:
        raise BudgetConfigError(f"{where}: monthlyUsd must be more than 0, got {value!r}")
    return amount


def _thresholds(where: str, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not value or len(value) > MAX_THRESHOLDS:
        raise BudgetConfigError(f"{where}: thresholds must be a list of 1-{MAX_THRESHOLDS} percents, got {value!r}")
    for percent in value:
        if not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= MAX_THRESHOLD_PERCENT:
            raise BudgetConfigError(
                f"{where}: each threshold is a whole percent of monthlyUsd from 1 to {MAX_THRESHOLD_PERCENT}, "
                f"got {percent!r}"
            )
    if len(set(value)) != len(value):
        raise BudgetConfigError(f"{where}: thresholds repeat a percent: {value!r}")
    return tuple(sorted(value))
