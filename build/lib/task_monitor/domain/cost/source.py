"""Where a container's prices come from: the shipped table with cdk.json's overrides, read once.

This is the seam for a refreshed table: anything with ``current() -> PriceTable`` (the ``Prices``
port) can replace ``ShippedPrices`` in ``wiring.Services``, e.g. one that reads the table the refresh
stored in the audit table and falls back to this one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

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


class RefreshedPrices:
    """The table the refresh stored (``adapters.price_tables.StoredPrices`` gives its document, or the
    shipped one while none is stored), with cdk.json's overrides on top. A document is parsed once; one
    that is not a valid table prices nothing wrong: the shipped table stands in and ``on_invalid`` says why."""

    def __init__(
        self,
        documents: Callable[[], Mapping[str, Any]],
        overrides: Sequence[PriceEntry] = (),
        *,
        on_invalid: Callable[[str], None] = lambda reason: None,
    ) -> None:
        self._documents = documents
        self._overrides = tuple(overrides)
        self._on_invalid = on_invalid
        self._parsed_from: Mapping[str, Any] | None = None
        self._table: PriceTable | None = None

    def current(self) -> PriceTable:
        document = self._documents()
        if self._table is None or document is not self._parsed_from:
            from task_monitor.domain.cost.price_table import InvalidPriceTable, PriceTable

            try:
                table = PriceTable.from_document(document)
            except InvalidPriceTable as error:
                self._on_invalid(f"the stored price table is not valid ({error}); the shipped one prices")
                table = PriceTable.shipped()
            self._table, self._parsed_from = table.with_overrides(self._overrides), document
        return self._table
