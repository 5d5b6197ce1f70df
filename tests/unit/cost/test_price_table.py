"""The price table document: strict about what it uses, lookups with the "*" fallback, overrides."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from task_monitor.domain.cost.price_table import (
    FAMILIES,
    SHIPPED_TABLE,
    InvalidPriceTable,
    PriceTable,
    parse_entries,
)

FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
DOCUMENT: dict[str, Any] = {
    "schemaVersion": 1,
    "date": "2026-11-15",
    "source": "test",
    "entries": [
        {
            "family": "qpuTask",
            "device": FORTE,
            "region": "us-east-1",
            "perTaskUsd": "0.30",
            "perShotUsd": "0.08",
            "source": "page",
            "confidence": "A",
        },
        {
            "family": "simulator",
            "device": SV1,
            "region": "*",
            "perMinuteUsd": "0.075",
            "minimumSeconds": 3,
            "source": "third party",
            "confidence": "C",
            "someFutureKey": {"ignored": True},
        },
        {
            "family": "jobInstance",
            "instanceType": "ml.m5.large",
            "region": "us-east-1",
            "perMinuteUsd": "0.00192",
            "source": "page",
            "confidence": "B",
        },
    ],
}


def test_a_document_parses_into_exact_decimals() -> None:
    table = PriceTable.from_document(DOCUMENT)
    forte = table.lookup("qpuTask", FORTE, "us-east-1")
    assert forte is not None
    assert (forte.per_task_usd, forte.per_shot_usd, forte.confidence) == (Decimal("0.30"), Decimal("0.08"), "A")
    assert table.date == "2026-11-15"


def test_lookup_prefers_the_region_then_falls_back_to_any_region() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["entries"].append(
        {
            "family": "simulator",
            "device": SV1,
            "region": "eu-west-2",
            "perMinuteUsd": "0.09",
            "source": "regional",
            "confidence": "I",
        }
    )
    table = PriceTable.from_document(document)
    assert table.lookup("simulator", SV1, "eu-west-2").per_minute_usd == Decimal("0.09")  # type: ignore[union-attr]
    assert table.lookup("simulator", SV1, "us-west-1").per_minute_usd == Decimal("0.075")  # type: ignore[union-attr]
    assert table.lookup("qpuTask", FORTE, "us-west-1") is None  # a region-specific entry never matches elsewhere
    assert table.lookup("jobQpuTask", FORTE, "us-east-1") is None  # families are separate
    assert table.lookup("jobInstance", "ml.m5.large", "us-east-1").per_minute_usd == Decimal("0.00192")  # type: ignore[union-attr]


def test_the_simulator_minimum_defaults_to_three_seconds() -> None:
    document = copy.deepcopy(DOCUMENT)
    del document["entries"][1]["minimumSeconds"]
    assert PriceTable.from_document(document).lookup("simulator", SV1, "*").minimum_seconds == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("schemaVersion",), 2, "schemaVersion"),
        (("date",), "15/11/2026", "date"),
        (("entries",), {}, "entries"),
        (("entries", 0, "perShotUsd"), 0.08, "entries[0].perShotUsd"),  # a JSON number may have been a float
        (("entries", 0, "perShotUsd"), "-0.08", "entries[0].perShotUsd"),
        (("entries", 0, "perShotUsd"), "1e-3", "entries[0].perShotUsd"),
        (("entries", 0, "perTaskUsd"), None, "entries[0].perTaskUsd"),
        (("entries", 0, "family"), "qpu", "entries[0].family"),
        (("entries", 0, "confidence"), "Z", "entries[0].confidence"),
        (("entries", 0, "region"), "mars-1", "entries[0].region"),
        (("entries", 1, "device"), "", "entries[1].device"),
        (("entries", 1, "minimumSeconds"), "3", "entries[1].minimumSeconds"),
        (("entries", 1, "perMinuteUsd"), "NaN", "entries[1].perMinuteUsd"),
        (("entries", 2, "instanceType"), None, "entries[2].instanceType"),
        (("entries", 2, "source"), " ", "entries[2].source"),
    ],
)
def test_a_bad_document_names_the_entry_and_field(path: tuple[Any, ...], value: Any, where: str) -> None:
    document = copy.deepcopy(DOCUMENT)
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(InvalidPriceTable) as raised:
        PriceTable.from_document(document)
    assert raised.value.where == where
    assert str(raised.value).startswith(f"{where}: ")


def test_not_json_is_a_price_table_error() -> None:
    with pytest.raises(InvalidPriceTable, match="not JSON"):
        PriceTable.from_json("{")


def test_overrides_replace_entries_of_the_same_key_and_add_new_ones() -> None:
    table = PriceTable.from_document(DOCUMENT)
    overrides = parse_entries(
        [
            {
                "family": "qpuTask",
                "device": FORTE,
                "region": "us-east-1",
                "perTaskUsd": "0.30",
                "perShotUsd": "0.07",
                "source": "negotiated",
                "confidence": "I",
            },
            {
                "family": "jobInstance",
                "instanceType": "ml.c5.xlarge",
                "region": "*",
                "perMinuteUsd": "0.004",
                "source": "mine",
                "confidence": "I",
            },
        ],
        "prices",
    )
    merged = table.with_overrides(overrides)
    assert merged.lookup("qpuTask", FORTE, "us-east-1").per_shot_usd == Decimal("0.07")  # type: ignore[union-attr]
    assert merged.lookup("jobInstance", "ml.c5.xlarge", "eu-west-2") is not None
    assert table.lookup("qpuTask", FORTE, "us-east-1").per_shot_usd == Decimal("0.08")  # type: ignore[union-attr]
    assert "2 entries overridden" in merged.source
    assert table.with_overrides([]) is table


def test_a_bad_override_names_its_place_in_the_list() -> None:
    with pytest.raises(InvalidPriceTable, match=r"^prices\[0\]\.perMinuteUsd: "):
        parse_entries(
            [
                {
                    "family": "jobInstance",
                    "instanceType": "ml.m5.large",
                    "region": "*",
                    "perMinuteUsd": "x",
                    "source": "s",
                    "confidence": "A",
                }
            ],
            "prices",
        )


def test_the_shipped_table_holds_every_price_of_the_billing_facts_with_its_confidence() -> None:
    """OFFLINE-FACTS "Braket billing": each price, its device and the confidence of its source."""
    table = PriceTable.shipped()
    expected = {
        "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1": ("0.08", "A"),
        "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet": ("0.00145", "A"),
        "arn:aws:braket:us-east-1::device/qpu/quera/Aquila": ("0.01", "A"),
        "arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3": ("0.0009", "A"),
        "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-Enterprise-1": ("0.08", "C"),
        "arn:aws:braket:eu-north-1::device/qpu/iqm/Emerald": ("0.0016", "C"),
        "arn:aws:braket:us-west-1::device/qpu/rigetti/Cepheus-1-108Q": ("0.000425", "C"),
        "arn:aws:braket:eu-north-1::device/qpu/aqt/Ibex-Q1": ("0.0235", "C"),
    }
    for device, (per_shot, confidence) in expected.items():
        region = device.split(":")[3]
        entry = table.lookup("qpuTask", device, region)
        assert entry is not None, device
        assert (entry.per_task_usd, entry.per_shot_usd, entry.confidence) == (
            Decimal("0.30"),
            Decimal(per_shot),
            confidence,
        )
        job_entry = table.lookup("jobQpuTask", device, region)
        assert job_entry is not None and job_entry.confidence == "I"  # inferred: same as on demand
    for name, per_minute in (("sv1", "0.075"), ("dm1", "0.075"), ("tn1", "0.275")):
        entry = table.lookup("simulator", f"arn:aws:braket:::device/quantum-simulator/amazon/{name}", "us-east-1")
        assert entry is not None and entry.per_minute_usd == Decimal(per_minute)
        assert entry.minimum_seconds == 3 and entry.confidence == "C"
    assert table.date == "2026-11-15"
    document = json.loads(SHIPPED_TABLE.read_text())
    assert all(entry["source"] and entry["family"] in FAMILIES for entry in document["entries"])


def test_a_stored_table_that_is_not_valid_prices_with_the_shipped_one_and_says_why() -> None:
    from task_monitor.domain.cost.source import RefreshedPrices

    reasons: list[str] = []
    prices = RefreshedPrices(lambda: {"schemaVersion": 99}, on_invalid=reasons.append)
    assert prices.current().date == PriceTable.shipped().date
    assert len(reasons) == 1 and "schemaVersion" in reasons[0]


def test_documents_the_refresh_writes_are_tables_the_cost_rules_read() -> None:
    """The refresh's parser (domain/cost/price_list.py) and the model agree on the document."""
    from pathlib import Path

    from task_monitor.domain.cost.price_list import document_from_index_csv, known_devices

    sample = Path(__file__).resolve().parents[3] / "tools/task_monitor_devkit/sample_price_list/index.csv"
    built = document_from_index_csv(
        sample.read_text(encoding="utf-8"), file_name="index.csv", today="2026-12-02", devices=known_devices()
    )
    table = PriceTable.from_document(built.document)
    assert len(table.entries) == len(built.document["entries"]) > 0 and table.date == "2026-12-02"
