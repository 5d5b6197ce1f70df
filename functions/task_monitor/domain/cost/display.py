"""How an ``estimatedCost`` is shown: the emails' "Estimated cost" line and the filterable attribute.

Only renderers import this (on the events that notify), so it costs no cold start.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from task_monitor.domain.cost.estimate import money

ATTRIBUTE = "estimatedCostUsd"  # SNS Number attribute: filter policies can match {"numeric": [">=", 10]}


def cost_line(estimate: Mapping[str, Any] | None) -> str | None:
    """ "Estimated cost: ≈ $8.30 (approximate) - <basis>, prices of <date>", or None without an estimate.

    A line of its own after the facts (its basis is a sentence, too long to align with them); a guess is
    never shown as a bill: "≈" and "(approximate)" mark it, and an unknown price says "unknown"."""
    if not estimate:
        return None
    amount = estimate.get("amountUsd")
    if amount is None:
        shown = "unknown"
    elif estimate.get("approximate"):
        shown = f"≈ ${amount} (approximate)"
    else:
        shown = f"${amount}"
    basis, date = str(estimate.get("basis")), estimate.get("priceTableDate")
    shots, shots_basis = estimate.get("shots"), estimate.get("shotsBasis")
    # A per-shot basis leaves the count to the estimate's fields (estimates before issue 15 said it).
    counted = f", {shots} {shots_basis} shots" if "per shot" in basis and " shots" not in basis and shots_basis else ""
    dated = f", prices of {date}" if date and str(date) not in basis else ""  # the basis may date itself
    return f"Estimated cost: {shown} — {basis}{counted}{dated}."


def cost_attributes(estimate: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """The ``estimatedCostUsd`` Number attribute, when there is an amount (none when the price is unknown)."""
    if not estimate or estimate.get("amountUsd") is None:
        return {}
    return {ATTRIBUTE: {"DataType": "Number", "StringValue": str(estimate["amountUsd"])}}


def priced_parts(estimate: Mapping[str, Any]) -> str | None:
    """An estimate without an amount (a part has no price) may still price some of its ``parts`` (a
    job's tasks, its instances): their sum, a floor of the estimate, as a decimal string; None when
    there is an amount, nothing is priced, or the parts are unreadable."""
    parts = estimate.get("parts")
    if estimate.get("amountUsd") is not None or not isinstance(parts, Mapping) or not parts:
        return None
    try:
        floor = sum((Decimal(str(value)) for value in parts.values()), Decimal(0))
    except (InvalidOperation, ValueError):
        return None
    return money(floor) if floor > 0 else None
