"""Reading the AWS Price List (GetProducts entries and index.csv) into a price table document."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from task_monitor.domain.cost.price_list import (
    KNOWN_DEVICE_ARNS,
    PER_MINUTE,
    PER_SHOT,
    PER_TASK,
    DeviceNames,
    PriceListError,
    PriceRow,
    build_document,
    converted_price,
    decimal_text,
    document_from_index_csv,
    document_from_products,
    document_shape_problems,
    known_devices,
    rows_from_index_csv,
    rows_from_products,
)
from task_monitor_devkit.price_list_emulator import product, sample_products

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "tools" / "task_monitor_devkit" / "sample_price_list" / "index.csv"
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
GARNET = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
DM1 = "arn:aws:braket:::device/quantum-simulator/amazon/dm1"
IBEX = "arn:aws:braket:eu-north-1::device/qpu/aqt/Ibex-Q1"
TODAY = "2026-12-02"


def _entry(document: dict, family: str, subject: str, region: str) -> dict:
    key = "instanceType" if family == "jobInstance" else "device"
    (entry,) = [e for e in document["entries"] if e["family"] == family and e[key] == subject and e["region"] == region]
    return entry


def _from_products(products: list) -> tuple[dict, list]:
    built = document_from_products(
        [json.dumps(p) if isinstance(p, dict) else p for p in products],
        today=TODAY,
        pricing_region="us-east-1",
        devices=known_devices(),
    )
    return built.document, built.problems


# -- GetProducts ------------------------------------------------------------------------------------
def test_given_the_sample_price_list_then_every_family_maps_to_its_entry_with_prices_as_decimal_strings():
    document, problems = _from_products(sample_products())

    assert document_shape_problems(document) == []
    assert document["date"] == TODAY and document["schemaVersion"] == 1
    assert document["source"] == "AWS Price List API (AmazonBraket), us-east-1, read 2026-12-02, published 2026-11-15"
    forte = _entry(document, "qpuTask", FORTE, "us-east-1")
    assert (forte["perTaskUsd"], forte["perShotUsd"], forte["confidence"]) == ("0.3", "0.08", "A")
    assert "FORTE1TASK0001" in forte["source"] and "FORTE1SHOT0001" in forte["source"]
    assert _entry(document, "qpuTask", GARNET, "eu-north-1")["perShotUsd"] == "0.00145"
    assert _entry(document, "simulator", SV1, "us-east-1") | {"source": ""} == {
        "family": "simulator", "device": SV1, "region": "us-east-1", "perMinuteUsd": "0.075",
        "minimumSeconds": 3, "source": "", "confidence": "A",
    }  # fmt: skip
    job_task = _entry(document, "jobQpuTask", FORTE, "us-east-1")
    assert (job_task["perTaskUsd"], job_task["perShotUsd"]) == ("0.3", "0.08")
    assert _entry(document, "jobSimulator", SV1, "us-east-1")["perMinuteUsd"] == "0.075"
    assert _entry(document, "jobInstance", "ml.m5.large", "us-east-1")["perMinuteUsd"] == "0.00192"  # $0.1152/h
    assert problems == []  # the reservation is not priced per task: left out without a problem
    assert {e["family"] for e in document["entries"]} == {"qpuTask", "simulator", "jobQpuTask", "jobSimulator",
                                                          "jobInstance"}  # fmt: skip


def test_given_a_per_second_simulator_price_then_it_is_kept_per_minute():
    document, _ = _from_products(sample_products())
    assert _entry(document, "simulator", DM1, "us-east-1")["perMinuteUsd"] == "0.075"  # $0.00125/s x 60


def test_given_a_malformed_entry_then_it_is_skipped_and_reported_and_the_rest_is_read():
    products = [*sample_products(), "{not json", json.dumps({"product": "a string"}), json.dumps([1, 2])]
    document, problems = _from_products(products)

    assert len(problems) == 3
    assert all("unreadable product" in p.problem for p in problems)
    assert [p.where for p in problems] == ["PriceList[13]", "PriceList[14]", "PriceList[15]"]
    assert _entry(document, "qpuTask", FORTE, "us-east-1")["perShotUsd"] == "0.08"


def test_given_an_unknown_device_then_it_is_reported_skipped_and_not_fatal():
    unknown = product("NOVA1", "Quantum Task", "0.30", "Task", region="us-west-2", usage_type="x", devicename="Nova-2")
    document, problems = _from_products([*sample_products(), unknown])

    (problem,) = problems
    assert problem.where == "NOVA1" and "'Nova-2' matches no known device in us-west-2" in problem.problem
    assert not [e for e in document["entries"] if "Nova" in e.get("device", "")]


def test_given_a_device_named_in_another_region_then_the_problem_says_where_it_is_known():
    moved = product("FORTEW2", "Quantum Task", "0.30", "Task", region="us-west-2", usage_type="x", devicename="Forte-1")
    _, problems = _from_products([*sample_products(), moved])
    assert "matches no known device in us-west-2 (known in us-east-1)" in problems[0].problem


def test_given_two_known_arns_with_one_name_in_a_region_then_the_match_is_ambiguous_and_skipped():
    devices = DeviceNames([FORTE, "arn:aws:braket:us-east-1::device/qpu/other/forte-1"])
    with pytest.raises(LookupError, match="matches 2 known devices"):
        devices.qpu("FORTE-1", "us-east-1")


def test_given_the_tracker_capitalisation_then_the_arn_segment_matches_without_regard_to_case():
    devices = known_devices()
    assert devices.qpu("IBEX-Q1", "eu-north-1") == IBEX
    assert devices.qpu("forte-1", "us-east-1") == FORTE
    assert devices.simulator("SV1") == SV1


def test_given_the_shipped_table_then_its_devices_are_known_too():
    shipped = {"entries": [{"family": "qpuTask", "device": "arn:aws:braket:us-west-2::device/qpu/example/Nova-2"}]}
    assert known_devices(shipped).qpu("NOVA-2", "us-west-2").endswith("/example/Nova-2")
    assert set(KNOWN_DEVICE_ARNS) <= {FORTE, GARNET, SV1, DM1, IBEX} | set(KNOWN_DEVICE_ARNS)


def test_given_a_qpu_with_a_task_fee_but_no_shot_price_then_the_entry_is_left_out_and_reported():
    only_task = [p for p in sample_products() if p["product"]["sku"] != "GARNETSHOT001"]
    document, problems = _from_products(only_task)
    assert not [e for e in document["entries"] if e.get("device") == GARNET]
    (problem,) = problems
    assert "no perShotUsd" in problem.problem and problem.where == "GARNETTASK001"


def test_given_two_different_prices_for_one_entry_then_both_are_dropped_and_reported():
    twice = product("FORTESHOT2", "Quantum Task-Shot", "0.09", "Shot", region="us-east-1", usage_type="x",
                    devicename="Forte-1")  # fmt: skip
    document, problems = _from_products([*sample_products(), twice])
    assert not [e for e in document["entries"] if e["family"] == "qpuTask" and e["device"] == FORTE]
    assert any("perShotUsd" in p.problem and "0.09" in p.problem for p in problems)


def test_given_the_same_price_twice_then_it_is_one_entry():
    again = product("FORTESHOT3", "Quantum Task-Shot", "0.080", "Shot", region="us-east-1", usage_type="x",
                    devicename="Forte-1")  # fmt: skip
    document, problems = _from_products([*sample_products(), again])
    assert _entry(document, "qpuTask", FORTE, "us-east-1")["perShotUsd"] == "0.08" and problems == []


def test_given_a_product_without_a_usd_on_demand_price_then_it_is_reported():
    no_price = product("FREE1", "Quantum Task", "0.30", "Task", region="us-east-1", usage_type="x", devicename="Aquila")
    no_price["terms"] = {"OnDemand": {}}
    _, problems = _from_products([*sample_products(), no_price])
    assert problems[0].where == "FREE1" and "no on-demand USD price" in problems[0].problem


def test_given_an_unknown_family_then_it_is_reported_not_guessed():
    odd = product("ODD1", "Quantum Annealing Minute", "1.00", "Minutes", region="us-east-1", usage_type="x")
    _, problems = _from_products([*sample_products(), odd])
    assert "'Quantum Annealing Minute' is not one this table prices" in problems[0].problem


def test_given_nothing_readable_then_no_document_is_made():
    with pytest.raises(PriceListError, match="no price could be read"):
        _from_products(["{", "[]"])


# -- units --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("price", "unit", "field", "expected"),
    [
        ("0.30", "Task", PER_TASK, "0.3"),
        ("0.30", "Tasks", PER_TASK, "0.3"),
        ("0.08", "Shot", PER_SHOT, "0.08"),
        ("0.08", "Shots", PER_SHOT, "0.08"),
        ("80", "1,000 Shots", PER_SHOT, "0.08"),
        ("0.075", "Minutes", PER_MINUTE, "0.075"),
        ("0.075", "min", PER_MINUTE, "0.075"),
        ("0.00125", "Seconds", PER_MINUTE, "0.075"),
        ("0.00000125", "ms", PER_MINUTE, "0.075"),
        ("4.5", "Hrs", PER_MINUTE, "0.075"),
        ("4.5", "Hours", PER_MINUTE, "0.075"),
        ("0.1", "Hrs", PER_MINUTE, "0.001666666667"),  # does not end: 12 places, rounded
    ],
)
def test_given_a_unit_then_the_price_is_converted_to_the_entry_unit(price, unit, field, expected):
    assert decimal_text(converted_price(Decimal(price), unit, field)) == expected


@pytest.mark.parametrize(
    ("unit", "field"), [("Shot", PER_TASK), ("Task", PER_MINUTE), ("GB-Mo", PER_MINUTE), ("", PER_SHOT)]
)
def test_given_a_unit_that_does_not_fit_the_family_then_it_is_refused(unit, field):
    with pytest.raises(ValueError, match="unit"):
        converted_price(Decimal("1"), unit, field)


@given(st.decimals(min_value=0, max_value=10_000, places=10, allow_nan=False, allow_infinity=False))
def test_property_a_per_hour_price_is_sixty_times_its_per_minute_price_and_a_per_second_one_a_sixtieth(price):
    per_minute_from_hour = converted_price(price, "Hrs", PER_MINUTE)
    per_minute_from_second = converted_price(price, "Seconds", PER_MINUTE)
    assert abs(per_minute_from_hour * 60 - price) <= Decimal("30e-12")  # kept to 12 places, rounded
    assert per_minute_from_second == price * 60
    assert "E" not in decimal_text(per_minute_from_hour) and "e" not in decimal_text(per_minute_from_hour)


@given(st.decimals(min_value=0, max_value=1000, places=10, allow_nan=False, allow_infinity=False))
def test_property_decimal_text_keeps_the_amount_exactly_and_never_uses_an_exponent(amount):
    text = decimal_text(amount)
    assert Decimal(text) == amount and "E" not in text.upper()


# -- index.csv ----------------------------------------------------------------------------------------
def test_given_the_sample_index_csv_then_its_metadata_and_prices_are_read():
    built = document_from_index_csv(SAMPLE_CSV.read_text(), file_name="index.csv", today=TODAY, devices=known_devices())
    document = built.document

    assert document_shape_problems(document) == []
    assert document["source"] == "AWS Price List index.csv index.csv, publication date 2026-11-15, read 2026-12-02"
    aquila = _entry(document, "qpuTask", "arn:aws:braket:us-east-1::device/qpu/quera/Aquila", "us-east-1")
    assert (aquila["perTaskUsd"], aquila["perShotUsd"]) == ("0.3", "0.01")
    assert _entry(document, "qpuTask", IBEX, "eu-north-1")["perShotUsd"] == "0.0235"
    assert _entry(document, "jobInstance", "ml.m5.xlarge", "us-east-1")["perMinuteUsd"] == "0.00384"
    assert (
        _entry(document, "simulator", "arn:aws:braket:::device/quantum-simulator/amazon/tn1", "us-east-1")[
            "perMinuteUsd"
        ]
        == "0.275"
    )
    (problem,) = built.problems  # the device no known ARN names
    assert "Nova-2" in problem.problem and problem.where.startswith("line 13 (SKU NEWQPUTASK001)")


def test_given_columns_in_another_order_and_spelling_then_they_are_found_by_name():
    text = (
        '"Publication Date","2026-10-01T00:00:00Z"\n'
        '"regioncode","Unit","Product Family","DeviceName","PricePerUnit"\n'
        '"us-east-1","Shot","Quantum Task-Shot","Forte-1","0.08"\n'
        '"us-east-1","Task","Quantum Task","Forte-1","0.30"\n'
    )
    price_list = rows_from_index_csv(text)
    assert price_list.publication_date == "2026-10-01" and price_list.problems == []
    assert [(r.devicename, r.price_usd) for r in price_list.rows] == [("Forte-1", Decimal("0.08")),
                                                                       ("Forte-1", Decimal("0.30"))]  # fmt: skip


def test_given_a_short_row_or_a_bad_price_then_it_is_reported_with_its_line():
    text = (
        '"Product Family","devicename","Region Code","PricePerUnit","Unit"\n'
        '"Quantum Task","Forte-1","us-east-1"\n'
        '"Quantum Task","Forte-1","us-east-1","free","Task"\n'
    )
    price_list = rows_from_index_csv(text)
    assert [str(p) for p in price_list.problems] == [
        "line 2: 3 cells where the header has 5",
        "line 3: price 'free' is not a decimal number",
    ]


def test_given_reserved_or_non_usd_rows_then_only_on_demand_usd_is_read():
    text = (
        '"TermType","Currency","Product Family","devicename","Region Code","PricePerUnit","Unit"\n'
        '"Reserved","USD","Quantum Task","Forte-1","us-east-1","0.10","Task"\n'
        '"OnDemand","CNY","Quantum Task","Forte-1","us-east-1","2.00","Task"\n'
        '"OnDemand","USD","Quantum Task","Forte-1","us-east-1","0.30","Task"\n'
    )
    assert [r.price_usd for r in rows_from_index_csv(text).rows] == [Decimal("0.30")]


def test_given_a_file_that_is_not_a_price_list_then_the_error_says_so():
    with pytest.raises(PriceListError, match="no header row with PricePerUnit and Product Family"):
        rows_from_index_csv("a,b\n1,2\n")


# -- the document's shape -----------------------------------------------------------------------------
def test_given_documents_the_shape_check_names_each_problem():
    assert document_shape_problems([]) == ["not a JSON object but list"]
    bad = {"schemaVersion": 2, "date": "2026-12", "source": "", "entries": [{"family": "qpuTask", "region": "*"},
                                                                            {"family": "nope"}]}  # fmt: skip
    problems = document_shape_problems(bad)
    assert "schemaVersion 2 is not 1" in problems and "date '2026-12' is not YYYY-MM-DD" in problems
    assert "entries[0]: no device" in problems and "entries[1]: family 'nope' is not known" in problems
    fine = build_document(
        [PriceRow("x", "Simulator Task", "us-east-1", Decimal("0.075"), "Minutes", version="SV1")],
        devices=known_devices(), date=TODAY, source="test", entry_source="test",
    ).document  # fmt: skip
    assert document_shape_problems(fine) == []
    fine["entries"][0]["perMinuteUsd"] = "7.5E-2"
    assert document_shape_problems(fine) == ["entries[0]: perMinuteUsd '7.5E-2' is not a decimal string"]


def test_the_unreadable_product_is_named_by_its_sku_when_it_has_one():
    broken = product("BROKEN1", "Quantum Task", "0.30", "Task", region="us-east-1", usage_type="x")
    broken["terms"] = "nonsense"
    rows, problems = rows_from_products([json.dumps(broken)])
    assert rows == [] and problems[0].where == "BROKEN1"
