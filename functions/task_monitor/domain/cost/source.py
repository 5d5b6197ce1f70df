"""Where a container's prices come from: the shipped table with cdk.json's overrides, read once.

This is the seam for a refreshed table: anything with ``current() -> PriceTable`` (the ``Prices``
port) can replace ``ShippedPrices`` in ``wiring.Services``, e.g. one that reads the table the refresh
stored in the audit table and falls back to this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from task_monitor.domain.cost.price_table import PriceEntry, PriceTable


class ShippedPrices:
    """The table packaged with the function (``prices.json``) with the overrides applied, parsed on the
    first ``current()`` (the first task event, not the cold start) and kept for the container's life."""

    def __init__(self, overrides: Sequence[PriceEntry] = ()) -> None:
        self._overrides = tuple(overrides)
        self._table: PriceTable | None = None

    def current(self) -> PriceTable:
        if self._table is None:
            from task_monitor.domain.cost.price_table import PriceTable  # the first task event, not the cold start

            self._table = PriceTable.shipped().with_overrides(self._overrides)
        return self._table
