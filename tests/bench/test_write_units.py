"""DynamoDB's item-size and write-unit rules (benchmarks/write_units.py), on items sized by hand."""

from __future__ import annotations

import pytest

from benchmarks.write_units import (
    IndexShape,
    index_entry,
    index_write_units,
    item_size,
    number_size,
    table_write_units,
    units,
    value_size,
)

KEYS = ("pk", "sk")
BY_STATUS_ALL = IndexShape("byStatus", "statusKey", "statusSortKey", None)
BY_STATUS_SLIM = IndexShape("byStatus", "statusKey", "statusSortKey", ("deviceArn",))
BY_DEVICE_KEYS = IndexShape("byDevice", "deviceKey", "deviceSortKey", ())


@pytest.mark.parametrize(
    ("number", "size"),
    [("1000", 2), ("7", 2), ("12", 2), ("123", 3), ("-12.5", 3), ("0.001", 2), ("0", 2), ("1830818107", 6)],
)
def test_a_number_costs_a_byte_per_two_significant_digits_plus_one(number: str, size: int) -> None:
    assert number_size(number) == size


def test_scalars_are_their_bytes_and_booleans_and_nulls_one() -> None:
    assert value_size({"S": "héllo"}) == 6  # é is two UTF-8 bytes
    assert value_size({"B": b"\x00\x01\x02"}) == 3
    assert value_size({"BOOL": True}) == 1
    assert value_size({"NULL": True}) == 1
    assert value_size({"SS": ["ab", "cde"]}) == 5


def test_lists_and_maps_cost_three_bytes_plus_one_per_element() -> None:
    assert value_size({"L": []}) == 3
    assert value_size({"M": {}}) == 3
    # 3 + ("a" 1 + "xy" 2 + 1) + ("bb" 2 + number 1000: 2 + 1) = 3 + 4 + 5
    assert value_size({"M": {"a": {"S": "xy"}, "bb": {"N": "1000"}}}) == 12
    # 3 + (2 + 1) + (nested empty map 3 + 1)
    assert value_size({"L": [{"S": "ab"}, {"M": {}}]}) == 10


def test_an_item_is_its_names_plus_its_values() -> None:
    item = {"pk": {"S": "TASK#a"}, "sk": {"S": "LATEST"}, "shots": {"N": "1000"}, "tags": {"M": {"k": {"S": "v"}}}}
    # pk 2+6, sk 2+6, shots 5+2, tags 4 + (3 + 1 + 1 + 1)
    assert item_size(item) == 8 + 8 + 7 + 10


@pytest.mark.parametrize(("size", "expected"), [(0, 1), (1, 1), (1024, 1), (1025, 2), (2048, 2), (2049, 3)])
def test_a_write_unit_is_a_kilobyte_rounded_up(size: int, expected: int) -> None:
    assert units(size) == expected


def _padded(total: int, **attributes: str) -> dict:
    """An item of exactly ``total`` bytes: its attributes, then a filler string."""
    item = {name: {"S": value} for name, value in {"pk": "TASK#a", "sk": "LATEST", **attributes}.items()}
    filler = total - item_size(item) - len("filler")
    assert filler >= 0
    return {**item, "filler": {"S": "x" * filler}}


def test_a_transaction_doubles_and_an_update_pays_for_the_larger_image() -> None:
    small, large = _padded(1000), _padded(1500)
    assert table_write_units(None, small, in_transaction=False) == 1
    assert table_write_units(None, small, in_transaction=True) == 2
    assert table_write_units(large, small, in_transaction=False) == 2  # shrinking still pays the before image
    assert table_write_units(small, large, in_transaction=True) == 4


def test_an_index_entry_keeps_the_keys_and_the_projection_only() -> None:
    item = _padded(900, statusKey="STATUS#QUEUED", statusSortKey="t#a", deviceArn="d", tags="x")
    entry = index_entry(item, BY_STATUS_SLIM, KEYS)
    assert entry is not None and set(entry) == {"pk", "sk", "statusKey", "statusSortKey", "deviceArn"}
    assert index_entry(item, BY_STATUS_ALL, KEYS) == item
    assert index_entry(item, BY_DEVICE_KEYS, KEYS) is None  # sparse: no deviceKey, no entry


def test_index_writes_a_put_a_delete_and_put_on_a_key_move_and_nothing_when_unchanged() -> None:
    queued = _padded(1500, statusKey="STATUS#QUEUED", statusSortKey="1#a", deviceKey="D", deviceSortKey="0#a")
    running = _padded(1500, statusKey="STATUS#RUNNING", statusSortKey="2#a", deviceKey="D", deviceSortKey="0#a")
    # ALL projects the 1,500-byte item: 2 units for a put, 2 + 2 for a move.
    assert index_write_units(None, queued, BY_STATUS_ALL, KEYS) == 2
    assert index_write_units(queued, running, BY_STATUS_ALL, KEYS) == 4
    # The slim entry is small: 1 + 1 for a move.
    assert index_write_units(queued, running, BY_STATUS_SLIM, KEYS) == 2
    # byDevice's keys did not move and keys-only projects nothing else: no write at all.
    assert index_write_units(queued, running, BY_DEVICE_KEYS, KEYS) == 0
    # ...but projecting everything rewrites it, because the filler... is equal here; change an attribute:
    changed = {**running, "filler": {"S": "y" * len(running["filler"]["S"])}}
    assert index_write_units(running, changed, IndexShape("d", "deviceKey", "deviceSortKey", None), KEYS) == 2
    # An entry that leaves the index is a delete.
    assert index_write_units(queued, {"pk": queued["pk"], "sk": queued["sk"]}, BY_STATUS_SLIM, KEYS) == 1
