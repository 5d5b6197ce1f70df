"""What one quantum task costs at list price: the rules of issue 14, each a function (docs/costs.md).

Every rule returns the record's ``estimatedCost`` map: ``amountUsd`` (absent when no price is known),
``maxAmountUsd``, ``shots`` and ``shotsBasis``, ``basis`` (a sentence a person can check against the
price list), ``priceTableDate`` and ``approximate``. Money is ``Decimal`` throughout and written as a
decimal string: rounded half-up to a millionth of a dollar (``MONEY_STEP``), trailing zeros dropped
but at least two decimals ("8.30", "0.000725"); nothing is "0" but a task that costs nothing.

Where the rules differ from the Braket SDK's ``Tracker`` [B]: the Tracker charges requested shots
(these rules charge successful shots once ``numSuccessfulShots`` is known [I], and keep requested
shots as ``maxAmountUsd``); it prices a reservation's tasks at on-demand list price (here: no
per-task or per-shot fee [A][B]); it prices no hybrid job (here: the job families).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NotRequired, TypedDict

from task_monitor.domain.cost.price_table import (
    JOB_QPU_TASK,
    JOB_SIMULATOR,
    QPU_TASK,
    SIMULATOR,
    PriceEntry,
    PriceTable,
)

MONEY_STEP = Decimal("0.000001")
RESERVATION_ASSOCIATION = "RESERVATION_TIME_WINDOW_ARN"
FREE_STATUSES = frozenset({"FAILED", "CANCELLED"})  # not charged: Tracker [B], refund of the hold [I]
ENDED_STATUSES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
SIMULATOR_DEVICE_KIND = "quantum-simulator"
_MILLISECOND = Decimal("0.001")
EXACT_DURATION_WORDS = "executionDuration of the result object"
_SECONDS_PER_MINUTE = Decimal(60)


class EstimatedCost(TypedDict):
    """A record's ``estimatedCost`` (the issue 14 contract): money as decimal strings in USD."""

    amountUsd: NotRequired[str]  # absent when the device or its price is unknown (the basis says why)
    maxAmountUsd: NotRequired[str]  # requested shots: what a spending limit holds
    shots: int
    shotsBasis: str  # "successful" once numSuccessfulShots is known, else "requested"
    basis: str
    priceTableDate: str
    approximate: bool


def money(amount: Decimal) -> str:
    """A USD amount as the record writes it (see the module docstring)."""
    if amount == 0:
        return "0"
    rounded = amount.quantize(MONEY_STEP, rounding=ROUND_HALF_UP)
    text = format(rounded.normalize(), "f")
    whole, _, cents = text.partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"


def estimate_task_cost(record: Mapping[str, Any], prices: PriceTable) -> dict[str, Any]:
    """The task record's ``estimatedCost``: the first rule that applies, in the order documented."""
    status = str(record.get("status", ""))
    shots, shots_basis = billed_shots(record)
    if status in FREE_STATUSES:
        return failed_or_cancelled(status, shots, shots_basis, prices)
    reservation = reservation_arn(record)
    if reservation is not None:
        return in_reservation(reservation, shots, shots_basis, prices)
    if record.get("deviceType") == SIMULATOR_DEVICE_KIND:
        return simulator_task(record, prices)
    return qpu_task(record, shots, shots_basis, prices)


def billed_shots(record: Mapping[str, Any]) -> tuple[int, str]:
    """Successful shots once GetQuantumTask reports them for a completed task [I: the bill follows
    them], else requested. A count read before the task completed (if Braket gave one) is not final."""
    successful = record.get("numSuccessfulShots")
    completed = "COMPLETED" in (record.get("status"), record.get("statusAtEnrichment"))
    if completed and isinstance(successful, int) and not isinstance(successful, bool) and successful >= 0:
        return successful, "successful"
    return int(record.get("shots", 0)), "requested"


def reservation_arn(record: Mapping[str, Any]) -> str | None:
    """The reservation the task ran in (``associations[].type == RESERVATION_TIME_WINDOW_ARN``), if any."""
    for association in record.get("associations") or []:
        if isinstance(association, Mapping) and association.get("type") == RESERVATION_ASSOCIATION:
            return str(association.get("arn") or "a reservation")
    return None


def failed_or_cancelled(status: str, shots: int, shots_basis: str, prices: PriceTable) -> dict[str, Any]:
    """FAILED and CANCELLED cost nothing (Tracker [B]; the spending limit's hold is returned [I])."""
    return _estimate(
        amount=Decimal(0),
        maximum=Decimal(0),
        shots=shots,
        shots_basis=shots_basis,
        basis=f"{status}: Braket does not charge failed or cancelled tasks",
        prices=prices,
        approximate=False,
    )


def in_reservation(reservation: str, shots: int, shots_basis: str, prices: PriceTable) -> dict[str, Any]:
    """A reservation's task pays no per-task or per-shot fee; the reservation is billed by the hour [A][B]."""
    return _estimate(
        amount=Decimal(0),
        maximum=Decimal(0),
        shots=shots,
        shots_basis=shots_basis,
        basis=(
            f"run in reservation {reservation}: no per-task or per-shot fee; "
            "the reservation is billed by the hour (not counted here)"
        ),
        prices=prices,
        approximate=False,
    )


def qpu_task(record: Mapping[str, Any], shots: int, shots_basis: str, prices: PriceTable) -> dict[str, Any]:
    """Per-task fee + per-shot fee x shots [A]; a program set pays one per-task fee, its ``shots`` the
    total over its executables [A][B]; a hybrid job's task is priced under the job family."""
    family = JOB_QPU_TASK if record.get("jobArn") else QPU_TASK
    entry = prices.lookup(family, str(record.get("deviceArn", "")), str(record.get("region", "")))
    if entry is None or entry.per_task_usd is None or entry.per_shot_usd is None:
        return unpriced(record, family, shots, shots_basis, prices)
    requested = int(record.get("shots", 0))
    amount = entry.per_task_usd + entry.per_shot_usd * shots
    maximum = entry.per_task_usd + entry.per_shot_usd * requested
    program_set = _program_set_words(record.get("actionMetadata"))
    job = "a hybrid job's task: " if family == JOB_QPU_TASK else ""
    # The device, region, shots and table date are fields of their own (the record's, the estimate's).
    basis = (
        f"{job}${_usd(entry.per_task_usd)} per task{program_set} + ${_usd(entry.per_shot_usd)} per shot{_cited(entry)}"
    )
    return _estimate(
        amount=amount,
        maximum=max(amount, maximum),
        shots=shots,
        shots_basis=shots_basis,
        basis=basis,
        prices=prices,
        approximate=shots_basis == "requested",
    )


def simulator_task(record: Mapping[str, Any], prices: PriceTable) -> dict[str, Any]:
    """Per minute of running time, at least the minimum (3 s), prorated by the millisecond [B][C].
    Approximate unless the result object's executionDuration was read: the running time between the
    RUNNING and ending events includes loading and writing results."""
    family = JOB_SIMULATOR if record.get("jobArn") else SIMULATOR
    shots, shots_basis = billed_shots(record)
    entry = prices.lookup(family, str(record.get("deviceArn", "")), str(record.get("region", "")))
    if entry is None or entry.per_minute_usd is None:
        return unpriced(record, family, shots, shots_basis, prices)
    minimum = entry.minimum_seconds or Decimal(0)
    seconds, measured = simulator_seconds(record)
    billed = max(seconds, minimum) if seconds is not None else minimum
    amount = entry.per_minute_usd * billed / _SECONDS_PER_MINUTE
    if seconds is None:
        ended = record.get("status") in ENDED_STATUSES
        why = "running time unknown: the minimum" if ended else "not ended yet: the minimum so far"
        measured = "; ".join(filter(None, [why, measured]))
    job = "a hybrid job's task: " if family == JOB_SIMULATOR else ""
    basis = (
        f"{job}${_usd(entry.per_minute_usd)} per minute x {_plain(billed)} s "
        f"({measured}; at least {_plain(minimum)} s){_cited(entry)}"
    )
    return _estimate(
        amount=amount,
        maximum=amount,
        shots=shots,
        shots_basis=shots_basis,
        basis=basis,
        prices=prices,
        approximate=measured != EXACT_DURATION_WORDS,
    )


def simulator_seconds(record: Mapping[str, Any]) -> tuple[Decimal | None, str]:
    """The task's running seconds to the millisecond, and what they are measured from.

    The result object's executionDuration when it was read (SIMULATOR_EXACT_DURATION); else RUNNING ->
    end when the history had the RUNNING event; else creation -> end (queueing included, so an upper
    bound); None while the task has not ended or when no time is known."""
    if record.get("status") not in ENDED_STATUSES:
        return None, ""
    execution = record.get("simulatorExecution") or {}
    duration_ms = execution.get("durationMs")
    if isinstance(duration_ms, int) and not isinstance(duration_ms, bool) and duration_ms >= 0:
        return Decimal(duration_ms) / 1000, EXACT_DURATION_WORDS
    unread = f"; executionDuration unread: {execution['unreadable']}" if execution.get("unreadable") else ""
    timings = record.get("timings") or {}
    for field, words in (
        ("runningSeconds", "running time, RUNNING to end"),
        ("totalSeconds", "creation to end, queueing included: RUNNING event not seen"),
    ):
        value = timings.get(field)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return Decimal(str(value)).quantize(_MILLISECOND, rounding=ROUND_HALF_UP), words + unread
    return None, unread.lstrip("; ")


def unpriced(
    record: Mapping[str, Any], family: str, shots: int, shots_basis: str, prices: PriceTable
) -> dict[str, Any]:
    """No price for the device: not an error; the amount is absent and the basis says why."""
    estimate = _estimate(
        amount=None,
        maximum=None,
        shots=shots,
        shots_basis=shots_basis,
        basis=(
            f"price unknown: no {family} price for {record.get('deviceArn')} in {record.get('region')} "
            f"in the price table of {prices.date}"
        ),
        prices=prices,
        approximate=True,
    )
    return estimate


def is_priced(estimate: Mapping[str, Any] | None) -> bool:
    return bool(estimate) and "amountUsd" in estimate  # type: ignore[operator]


def _estimate(
    *,
    amount: Decimal | None,
    maximum: Decimal | None,
    shots: int,
    shots_basis: str,
    basis: str,
    prices: PriceTable,
    approximate: bool,
) -> dict[str, Any]:
    estimate: dict[str, Any] = {}
    if amount is not None:
        estimate["amountUsd"] = money(amount)
    if maximum is not None:
        estimate["maxAmountUsd"] = money(maximum)
    estimate.update(
        shots=shots,
        shotsBasis=shots_basis,
        basis=basis,
        priceTableDate=prices.date,
        approximate=approximate,
    )
    return estimate


def _program_set_words(action: object) -> str:
    if not isinstance(action, Mapping) or action.get("programCount") is None:
        return ""
    executables = action.get("executableCount")
    over = f", shots over its {executables} executables" if executables is not None else ""
    return f" (one for the program set of {action['programCount']} programs{over})"


def _cited(entry: PriceEntry) -> str:
    """The list price's confidence ([A], [I]...); the table's date is the estimate's priceTableDate."""
    return f" [{entry.confidence}]"


def _plain(value: Decimal) -> str:
    """A count as written, without an exponent or trailing zeros ("3", "12.5")."""
    return format(value.normalize(), "f")


def _usd(value: Decimal) -> str:
    """A list price as written, at least two decimals ("0.30", "0.000425")."""
    whole, _, cents = _plain(value).partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"
