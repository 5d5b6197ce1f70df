"""Where the price table meets the function: the setting, the lazy seam in wiring, and the cold start."""

from __future__ import annotations

import botocore.session
import pytest
from moto import mock_aws

from task_monitor import audit_schema
from task_monitor.adapters.price_tables import DynamoPriceTables
from task_monitor.errors import ConfigurationError
from task_monitor.settings import DEFAULT_PRICE_TABLE_REREAD_SECONDS, Settings
from task_monitor.wiring import Services
from tests.unit.test_cold_start_imports import _modules_after_cold_start

BASE = {"AUDIT_TABLE_NAME": "audit", "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications"}
PRICE_MODULES = {
    "task_monitor.price_refresh",
    "task_monitor.adapters.price_tables",
    "task_monitor.adapters.price_list",
    "task_monitor.domain.cost.price_list",
}


def test_given_no_setting_then_the_stored_table_is_read_again_every_six_hours():
    assert Settings.from_environment(BASE).price_table_reread_seconds == DEFAULT_PRICE_TABLE_REREAD_SECONDS == 21600
    assert Settings.from_environment({**BASE, "PRICE_TABLE_REREAD_SECONDS": "600"}).price_table_reread_seconds == 600


@pytest.mark.parametrize("value", ["59", "604801", "6h", "-5", "1.5"])
def test_given_a_bad_reread_setting_then_the_error_names_it_and_the_range(value):
    with pytest.raises(ConfigurationError, match=r"PRICE_TABLE_REREAD_SECONDS must be a whole number .* 60 to 604800"):
        Settings.from_environment({**BASE, "PRICE_TABLE_REREAD_SECONDS": value})


def test_given_the_seam_then_services_prices_reads_the_stored_table_once_made():
    document = {
        "schemaVersion": 1, "date": "2026-12-02", "source": "test",
        "entries": [{"family": "jobInstance", "instanceType": "ml.m5.large", "region": "us-east-1",
                     "perMinuteUsd": "0.00192", "source": "test", "confidence": "A"}],
    }  # fmt: skip
    with mock_aws():
        session = botocore.session.get_session()
        dynamodb = session.create_client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(**audit_schema.create_table_request("audit"))
        DynamoPriceTables(dynamodb, "audit").save(document, "t")
        services = Services(Settings.from_environment(BASE), session)

        assert services.prices is services.prices  # one per container
        assert services.price_documents.current() == document
        table = services.prices.current()  # what the cost rules price with: the stored table, parsed
        assert (table.date, table.source) == ("2026-12-02", "test")
        assert services.prices.current() is table  # parsed once while the document stays


def test_a_cold_start_imports_nothing_of_the_prices():
    assert _modules_after_cold_start() & PRICE_MODULES == set()
