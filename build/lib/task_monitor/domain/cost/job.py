"""What a hybrid job costs: its instance minutes at the job instance price, plus its tasks' costs.

Instances [A]: the Price List's "Braket Managed Jobs Instance" family, per minute, times
``instanceConfig.instanceCount`` (1 when GetJob omits it). The minutes: GetJob's ``billableDuration``
when it agrees with the job's own startedAt -> endedAt span, read as milliseconds or as seconds (no
source states its unit), else that span; the basis says which. Tasks: the sum of the ``estimatedCost``
of the job's tasks in the audit log (the byJob index) when the job ended; a task without an amount
(an unknown device, or recorded before costs were) is named in the basis. Always approximate: the
instance time's billing granularity is not published. The Tracker prices no job [B].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from task_monitor.domain.cost.estimate import money
from task_monitor.domain.cost.price_table import JOB_INSTANCE, PriceTable

# How far billableDuration may be from the started -> ended span and still be taken as the job's time:
# the larger of a minute and a tenth of the span (the two are measured by different clocks and steps).
AGREEMENT_SECONDS = Decimal(60)
AGREEMENT_SHARE = Decimal("0.1")
_SECONDS_PER_MINUTE = Decimal(60)
_MILLISECOND = Decimal("0.001")


def billed_seconds(billable_duration: object, span_seconds: float | None) -> tuple[Decimal | None, str]:
    """The instance seconds to price and how they were chosen (the words go in the basis)."""
    span = Decimal(str(span_seconds)) if span_seconds is not None else None
    whole = isinstance(billable_duration, int) and not isinstance(billable_duration, bool) and billable_duration >= 0
    if span is not None and whole:
        tolerance = max(AGREEMENT_SECONDS, span * AGREEMENT_SHARE)
        for divisor, unit in ((Decimal(1000), "milliseconds"), (Decimal(1), "seconds")):
            seconds = Decimal(billable_duration) / divisor  # type: ignore[arg-type]
            if abs(seconds - span) <= tolerance:
                return seconds.quantize(_MILLISECOND, rounding=ROUND_HALF_UP), (
                    f"GetJob's billableDuration {billable_duration} read as {unit} "
                    f"(agrees with startedAt to endedAt, {_plain(span)} s)"
                )
    if span is not None:
        why = (
            f"billableDuration {billable_duration} agrees with it neither as milliseconds nor as seconds"
            if whole
            else "no billableDuration"
        )
        return span, f"startedAt to endedAt ({why})"
    return None, "the job's start or end time is unknown"


def estimate_job_cost(job: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]], prices: PriceTable) -> dict[str, Any]:
    """The job record's ``estimatedCost``, each part named in the basis; ``amountUsd`` only when every
    part is priced (``parts`` keeps the ones that are)."""
    parts: dict[str, str] = {}
    words: list[str] = []
    amount = Decimal(0)
    maximum = Decimal(0)
    complete = True

    instance = job.get("instanceConfig") or {}
    instance_type = instance.get("instanceType") if isinstance(instance, Mapping) else None
    count = instance.get("instanceCount", 1) if isinstance(instance, Mapping) else 1
    count = count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 1
    seconds, how = billed_seconds(job.get("billableDuration"), (job.get("timings") or {}).get("runningSeconds"))
    entry = prices.lookup(JOB_INSTANCE, str(instance_type), str(job.get("region"))) if instance_type else None
    if entry is None or entry.per_minute_usd is None:
        complete = False
        words.append(
            f"instances: no jobInstance price for {instance_type or 'an unknown instance type'} in {job.get('region')}"
        )
    elif seconds is None:
        complete = False
        words.append(f"instances: {how}")
    else:
        instances = entry.per_minute_usd * seconds / _SECONDS_PER_MINUTE * count
        amount += instances
        maximum += instances
        parts["instancesUsd"] = money(instances)
        words.append(
            f"instances: {count} x {instance_type} x {_plain(seconds / _SECONDS_PER_MINUTE)} min "
            f"x ${_plain(entry.per_minute_usd)}/min = ${money(instances)} (time: {how}; list price "
            f"[{entry.confidence}])"
        )

    priced, unpriced, shots, all_successful = 0, 0, 0, True
    tasks_amount, tasks_maximum = Decimal(0), Decimal(0)
    for task in tasks:
        task_cost = task.get("estimatedCost")
        if not isinstance(task_cost, Mapping) or "amountUsd" not in task_cost:
            unpriced += 1
            continue
        priced += 1
        tasks_amount += Decimal(str(task_cost["amountUsd"]))
        tasks_maximum += Decimal(str(task_cost.get("maxAmountUsd", task_cost["amountUsd"])))
        shots += int(task_cost.get("shots", 0))
        all_successful = all_successful and task_cost.get("shotsBasis") == "successful"
    amount += tasks_amount
    maximum += tasks_maximum
    parts["tasksUsd"] = money(tasks_amount)
    task_words = f"tasks: {priced} priced = ${money(tasks_amount)}"
    if unpriced:
        complete = False
        task_words += f", {unpriced} without a price (unknown device or recorded before costs were)"
    words.append(task_words)

    estimate: dict[str, Any] = {}
    if complete:
        estimate["amountUsd"] = money(amount)
        estimate["maxAmountUsd"] = money(maximum)
    estimate.update(
        parts=parts,
        shots=shots,
        shotsBasis="successful" if all_successful and priced else "requested",
        basis="; ".join(words) + f" (price table of {prices.date})",
        priceTableDate=prices.date,
        approximate=True,
    )
    return estimate


def _plain(value: Decimal) -> str:
    return format(value.quantize(_MILLISECOND, rounding=ROUND_HALF_UP).normalize(), "f")
