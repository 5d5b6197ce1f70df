"""The stored price table (pk PRICES, sk CURRENT) on moto's DynamoDB: conditional writes, cached reads,
the shipped table as the fallback."""

from __future__ import annotations

import datetime
import json

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from task_monitor.adapters.price_tables import (
    DynamoPriceTables,
    StoredPrices,
    load_shipped_document,
)
from tests.adapters.conftest import TABLE
from tests.support.faults import ConnectionFault, ErrorAnswer

FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"


def document(date: str, per_shot: str = "0.08") -> dict:
    return {
        "schemaVersion": 1,
        "date": date,
        "source": f"AWS Price List API (AmazonBraket), us-east-1, read {date}",
        "entries": [
            {"family": "qpuTask", "device": FORTE, "region": "us-east-1", "perTaskUsd": "0.3",
             "perShotUsd": per_shot, "source": "AWS Price List API (X)", "confidence": "A"}
        ],
    }  # fmt: skip


SHIPPED = document("2026-11-15", per_shot="0.07")


@pytest.fixture
def tables(dynamodb) -> DynamoPriceTables:
    return DynamoPriceTables(dynamodb, TABLE)


def test_given_a_document_then_it_is_stored_with_its_date_source_and_time_and_read_back(tables, dynamodb):
    result = tables.save(document("2026-12-02"), "2026-12-02T03:00:00.000Z")

    assert (result.written, result.stored_date) == (True, "2026-12-02")
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "PRICES"}, "sk": {"S": "CURRENT"}})["Item"]
    assert {k: v["S"] for k, v in item.items() if k != "document"} == {
        "pk": "PRICES", "sk": "CURRENT", "date": "2026-12-02", "updatedAt": "2026-12-02T03:00:00.000Z",
        "source": "AWS Price List API (AmazonBraket), us-east-1, read 2026-12-02",
    }  # fmt: skip
    assert json.loads(item["document"]["S"]) == document("2026-12-02") == tables.load()


def test_given_a_newer_stored_table_then_an_older_document_never_replaces_it(tables):
    tables.save(document("2026-12-02", per_shot="0.08"), "2026-12-02T03:00:00Z")

    result = tables.save(document("2026-11-20", per_shot="0.50"), "2026-12-02T04:00:00Z")

    assert (result.written, result.stored_date) == (False, "2026-12-02")
    assert tables.load() == document("2026-12-02", per_shot="0.08")


def test_given_the_same_date_then_the_later_write_corrects_the_table(tables):
    tables.save(document("2026-12-02", per_shot="0.08"), "2026-12-02T03:00:00Z")
    assert tables.save(document("2026-12-02", per_shot="0.09"), "2026-12-02T05:00:00Z").written
    assert tables.load()["entries"][0]["perShotUsd"] == "0.09"


def test_given_a_newer_document_then_it_replaces_the_stored_one(tables):
    tables.save(document("2026-11-20"), "t1")
    assert tables.save(document("2026-12-02", per_shot="0.10"), "t2").written
    assert tables.load()["date"] == "2026-12-02"


def test_given_a_document_of_the_wrong_shape_then_nothing_is_written(tables):
    with pytest.raises(ValueError, match="not a price table document: entries is not a non-empty list"):
        tables.save({**document("2026-12-02"), "entries": []}, "t")
    assert tables.load() is None


def test_given_throttling_on_the_write_then_botocore_retries_and_the_table_is_stored(tables, dynamodb, sleeps):
    throttled = ErrorAnswer("PutItem", "ProvisionedThroughputExceededException", times=2)
    dynamodb.meta.events.register("before-send.dynamodb.PutItem", throttled)

    assert tables.save(document("2026-12-02"), "t").written
    assert throttled.answered == 2 and len(sleeps) == 2
    assert tables.load()["date"] == "2026-12-02"


def test_given_a_lost_answer_to_the_write_then_the_retry_of_the_same_document_still_succeeds(tables, dynamodb, sleeps):
    """The first PutItem is applied but its answer lost; botocore sends it again, and the condition
    (a date no later than this one) lets the same document through: no spurious "kept newer"."""
    lost = ConnectionFault("PutItem", times=1)
    dynamodb.meta.events.register_last("before-send", lost)

    result = tables.save(document("2026-12-02"), "t")
    assert lost.raised == 1 and (result.written, result.stored_date) == (True, "2026-12-02")


def test_given_a_write_refused_for_good_then_the_error_is_raised_and_nothing_claims_success(tables, dynamodb):
    refused = ErrorAnswer("PutItem", "ValidationException", times=1)
    dynamodb.meta.events.register("before-send.dynamodb.PutItem", refused)
    with pytest.raises(ClientError, match="ValidationException"):
        tables.save(document("2026-12-02"), "t")
    assert tables.load() is None


# -- StoredPrices: what the function prices with ---------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fallbacks() -> list[str]:
    return []


@pytest.fixture
def prices(tables, clock, fallbacks) -> StoredPrices:
    return StoredPrices(tables, lambda: SHIPPED, clock=clock, on_fallback=fallbacks.append, reread_seconds=3600)


def test_given_no_stored_table_then_the_shipped_one_is_used_and_nothing_is_counted(prices, fallbacks):
    # No table stored yet (the refresh has not run, or it is off) is how every deployment starts: the
    # shipped table prices, silently; only a stored table that cannot be used is a fallback.
    assert prices.current() == SHIPPED
    assert fallbacks == []


def test_given_a_stored_table_then_it_is_read_once_and_again_only_after_the_while(prices, tables, clock, table_calls):
    tables.save(document("2026-12-01"), "t")
    table_calls.clear()
    assert prices.current()["date"] == "2026-12-01"
    tables.save(document("2026-12-02"), "t")
    clock.now += 3599
    assert prices.current()["date"] == "2026-12-01"  # cached
    assert table_calls.count("GetItem") == 1
    clock.now += 1
    assert prices.current()["date"] == "2026-12-02"  # read again after the while
    assert table_calls.count("GetItem") == 2


def test_given_the_table_appears_later_then_the_shipped_one_is_replaced_soon(prices, tables, clock, fallbacks):
    assert prices.current() == SHIPPED
    tables.save(document("2026-12-02"), "t")
    clock.now += 299
    assert prices.current() == SHIPPED
    clock.now += 1  # looked for again sooner than the while
    assert prices.current()["date"] == "2026-12-02" and fallbacks == []


def test_given_an_unreadable_stored_table_then_the_shipped_one_is_used(prices, dynamodb, fallbacks):
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "PRICES"}, "sk": {"S": "CURRENT"}, "document": {"S": "{"}})
    assert prices.current() == SHIPPED
    assert fallbacks[0].startswith("the stored price table could not be read: the stored price table is not JSON")


def test_given_a_stored_table_of_the_wrong_shape_then_the_shipped_one_is_used(prices, dynamodb, fallbacks):
    wrong = json.dumps({"schemaVersion": 9, "date": "2026-12-02", "source": "x", "entries": []})
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "PRICES"}, "sk": {"S": "CURRENT"}, "document": {"S": wrong}})
    assert prices.current() == SHIPPED
    assert "schemaVersion 9 is not 1" in fallbacks[0]


@pytest.mark.usefixtures("dynamodb")
def test_given_dynamodb_failing_after_a_good_read_then_the_stored_table_read_earlier_stays(
    prices, tables, clock, fallbacks, monkeypatch
):
    tables.save(document("2026-12-01"), "t")
    assert prices.current()["date"] == "2026-12-01"
    clock.now += 3600

    def refuse(**_):
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "GetItem")

    monkeypatch.setattr(tables._client, "get_item", refuse)
    assert prices.current()["date"] == "2026-12-01"
    assert fallbacks == [
        "the stored price table could not be read: An error occurred (InternalServerError) when "
        "calling the GetItem operation: down; keeping the stored table of 2026-12-01 read earlier"
    ]


def test_given_the_shipped_file_then_it_is_checked_like_a_stored_one(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(SHIPPED))
    assert load_shipped_document(path) == SHIPPED
    path.write_text(json.dumps({**SHIPPED, "date": "soon"}))
    with pytest.raises(ValueError, match=r"prices\.json is not a price table document: date 'soon'"):
        load_shipped_document(path)


# -- reordering and duplicates: whatever order refreshes finish in, the latest date stays ---------------
_DATES = st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2027, 12, 31)).map(str)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(saves=st.lists(st.tuples(_DATES, st.sampled_from(["0.08", "0.09", "0.10"])), min_size=1, max_size=6))
def test_property_any_order_of_saves_leaves_the_latest_date_and_a_document_saved_for_it(tables, dynamodb, saves):
    dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": "PRICES"}, "sk": {"S": "CURRENT"}})
    results = [tables.save(document(date, per_shot), f"t{i}") for i, (date, per_shot) in enumerate(saves)]

    stored = tables.load()
    latest = max(date for date, _ in saves)
    assert stored["date"] == latest
    # the last save of the latest date wins (a same-day re-run corrects), and no earlier date ever did
    assert stored["entries"][0]["perShotUsd"] == [p for d, p in saves if d == latest][-1]
    running_max = ""
    for (date, _), result in zip(saves, results, strict=True):
        assert result.written == (date >= running_max)
        running_max = max(running_max, date)
        assert result.stored_date == running_max
