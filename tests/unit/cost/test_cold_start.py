"""Costs add nothing to the cold start: the price table and the rules load with the first task event."""

from __future__ import annotations

from tests.unit.test_cold_start_imports import _modules_after_cold_start

COST_MODULES = {
    "task_monitor.domain.cost.price_table",
    "task_monitor.domain.cost.estimate",
    "task_monitor.domain.cost.job",
    "task_monitor.domain.cost.display",
    "task_monitor.adapters.simulator_results",  # only with SIMULATOR_EXACT_DURATION on
}


def test_a_cold_start_without_price_overrides_loads_no_cost_rules_or_table() -> None:
    loaded = _modules_after_cold_start()
    assert "task_monitor.domain.cost.source" in loaded  # the price source is wired, empty
    assert loaded & COST_MODULES == set()


def test_the_table_is_read_and_parsed_once_per_container(monkeypatch) -> None:
    """The first task event reads prices.json; every later one uses the parsed table kept in the source."""
    from task_monitor.domain.cost import price_table
    from task_monitor.domain.cost.source import ShippedPrices

    reads = []
    shipped = price_table.PriceTable.shipped

    def counted() -> price_table.PriceTable:
        reads.append(1)
        return shipped()

    monkeypatch.setattr(price_table.PriceTable, "shipped", staticmethod(counted))
    source = ShippedPrices()
    assert reads == []  # nothing read when the container is wired
    first = source.current()
    assert source.current() is first and source.current() is first
    assert reads == [1]
