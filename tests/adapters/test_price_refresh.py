"""The price refresh against an emulated Price List (GetProducts answered at botocore's HTTP layer, so
botocore's serialization, parsing and retries are real) and moto's DynamoDB."""

from __future__ import annotations

import io
import json

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from task_monitor import audit_schema, price_refresh
from task_monitor.adapters.price_list import PriceListReadError, read_price_list
from task_monitor.adapters.price_tables import DynamoPriceTables
from task_monitor.domain.cost.price_list import document_shape_problems
from task_monitor.errors import ConfigurationError
from task_monitor_devkit.price_list_emulator import PriceListEmulator, sample_products

TABLE = "audit-under-test"


def _pricing_client(region: str = "us-east-1", attempts: int = 4):
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return botocore.session.get_session().create_client("pricing", region_name=region, config=config)


def test_given_several_pages_then_every_entry_is_read_in_order_following_next_token(sleeps):
    emulator = PriceListEmulator(page_size=4)
    with emulator.running():
        entries = read_price_list(_pricing_client())

    assert [json.loads(e)["product"]["sku"] for e in entries] == [p["product"]["sku"] for p in sample_products()]
    assert len(emulator.requests) == 4  # 13 products, 4 a page
    assert [r["body"].get("NextToken") is None for r in emulator.requests] == [True, False, False, False]
    assert all(r["body"]["ServiceCode"] == "AmazonBraket" and r["body"]["MaxResults"] == 100
               for r in emulator.requests)  # fmt: skip
    assert {r["host"] for r in emulator.requests} == {"api.pricing.us-east-1.amazonaws.com"}


def test_given_throttling_then_botocore_retries_the_page_and_the_read_completes(sleeps):
    emulator = PriceListEmulator(page_size=20, throttle=2)
    with emulator.running():
        entries = read_price_list(_pricing_client())
    assert len(entries) == len(sample_products())
    assert len(emulator.requests) == 3 and len(sleeps) == 2  # two throttled, then the page


def test_given_a_5xx_mid_way_then_botocore_retries_that_page_and_no_entry_is_lost_or_repeated(sleeps):
    emulator = PriceListEmulator(page_size=4)
    with emulator.running():
        client = _pricing_client()
        first = client.get_products(ServiceCode="AmazonBraket", MaxResults=100)
        emulator.server_errors = 2  # the second page fails twice, then is answered
        entries = list(first["PriceList"])
        page = client.get_products(ServiceCode="AmazonBraket", MaxResults=100, NextToken=first["NextToken"])
        entries += page["PriceList"]
    skus = [json.loads(e)["product"]["sku"] for e in entries]
    assert skus == [p["product"]["sku"] for p in sample_products()[:8]] and len(sleeps) == 2


def test_given_throttling_past_the_retries_then_the_read_fails_and_says_so(sleeps):
    with PriceListEmulator(throttle=10).running(), pytest.raises(ClientError, match="ThrottlingException"):
        read_price_list(_pricing_client(attempts=3))


def test_given_a_token_handed_back_twice_then_the_read_stops():
    class Looping:
        def get_products(self, **_):
            return {"PriceList": [], "NextToken": "same"}

    with pytest.raises(PriceListReadError, match="already given"):
        read_price_list(Looping())


@pytest.fixture
def deployed(monkeypatch, sleeps):
    """moto's DynamoDB with the audit table, the emulated Price List, and the refresh's container fresh."""
    monkeypatch.setenv("AUDIT_TABLE_NAME", TABLE)
    monkeypatch.delenv("PRICING_REGION", raising=False)
    price_refresh._container.cache_clear()
    with mock_aws():
        dynamodb = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(**audit_schema.create_table_request(TABLE))
        yield DynamoPriceTables(dynamodb, TABLE)
    price_refresh._container.cache_clear()


def test_given_the_schedule_fires_then_the_handler_stores_the_price_lists_document(deployed, capsys):
    emulator = PriceListEmulator(page_size=5, throttle=1)
    with emulator.running():
        summary = price_refresh.lambda_handler({"source": "aws.events"}, None)

    stored = deployed.load()
    assert document_shape_problems(stored) == []
    assert summary == {
        "date": stored["date"], "source": stored["source"], "entries": len(stored["entries"]),
        "skippedProducts": 0, "stored": True, "storedDate": stored["date"],
    }  # fmt: skip
    assert stored["date"] == price_refresh.today_utc()
    assert stored["source"].startswith("AWS Price List API (AmazonBraket), us-east-1, read ")
    assert len(stored["entries"]) == 8
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(doc.get("PriceListSkippedProducts") == [0.0] or doc.get("PriceListSkippedProducts") == 0.0
               for doc in emf)  # fmt: skip


def test_given_a_malformed_entry_then_the_refresh_skips_reports_and_counts_it(deployed, capsys):
    from task_monitor import observability

    products = [*sample_products()[:6], '{"product": ', *sample_products()[6:]]
    logs, handler = io.StringIO(), observability.logger.registered_handler
    previous = handler.setStream(logs)
    try:
        with PriceListEmulator(products=products).running():
            summary = price_refresh.lambda_handler({}, None)
    finally:
        handler.setStream(previous)

    assert summary["skippedProducts"] == 1 and summary["stored"] is True
    (warning,) = [json.loads(line) for line in logs.getvalue().splitlines() if "Price List product skipped" in line]
    assert warning["where"] == "PriceList[6]" and warning["problem"].startswith("unreadable product")
    (emf,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "PriceListSkippedProducts" in line]
    assert emf["PriceListSkippedProducts"] in (1, 1.0, [1.0])


def test_given_a_newer_stored_table_then_the_refresh_keeps_it(deployed, monkeypatch):
    with PriceListEmulator().running():
        price_refresh.lambda_handler({}, None)
    monkeypatch.setattr(price_refresh, "today_utc", lambda: "2020-01-01")
    with PriceListEmulator().running():
        summary = price_refresh.lambda_handler({}, None)
    assert (summary["stored"], summary["storedDate"]) == (False, deployed.load()["date"])
    assert deployed.load()["date"] != "2020-01-01"


def test_given_a_price_list_with_no_readable_price_then_nothing_is_stored_and_the_invocation_fails(deployed):
    with PriceListEmulator(products=["{", "[]"]).running(), pytest.raises(ValueError, match="no price could be read"):
        price_refresh.lambda_handler({}, None)
    assert deployed.load() is None


def test_given_another_pricing_region_then_the_api_is_called_there(deployed, monkeypatch):
    monkeypatch.setenv("PRICING_REGION", "eu-central-1")
    emulator = PriceListEmulator()
    with emulator.running():
        summary = price_refresh.lambda_handler({}, None)
    assert {r["host"] for r in emulator.requests} == {"api.pricing.eu-central-1.amazonaws.com"}
    assert ", eu-central-1, read " in summary["source"]


@pytest.mark.parametrize("region", ["eu-north-1", "us-west-2", "nowhere"])
def test_given_a_region_without_the_pricing_api_then_the_error_names_the_three(region):
    with pytest.raises(ConfigurationError, match="us-east-1, eu-central-1, ap-south-1"):
        price_refresh.pricing_region_from(region)


def test_the_monitor_handler_module_never_imports_the_refresh():
    """The refresh is its own function's entry point: nothing on the monitor's path imports it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "functions" / "task_monitor"
    importers = [p for p in root.rglob("*.py") if "price_refresh" in p.read_text() and p.name != "price_refresh.py"]
    assert importers == []
