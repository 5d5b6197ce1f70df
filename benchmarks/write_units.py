"""DynamoDB write units from the items themselves: item sizes, index entries, and what a write costs.

Pure arithmetic on items in DynamoDB's wire form (``{"S": ...}``, ``{"N": ...}``, ``{"M": {...}}``...),
so it is unit-tested with hand-computed sizes (``tests/bench/test_write_units.py``).

Rules applied (AWS DynamoDB developer guide, "DynamoDB item sizes and formats",
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html, and
"Managing settings on DynamoDB provisioned capacity tables" / "Global secondary indexes: provisioned
throughput considerations" for index writes):

* an item's size is the sum, over its attributes, of the attribute name's UTF-8 bytes plus the value's size;
* a string: its UTF-8 bytes; a binary: its raw bytes; a boolean or null: 1 byte;
* a number: 1 byte per two significant digits (leading and trailing zeros trimmed), plus 1 byte;
* a list or map: 3 bytes, plus each element's size plus 1 byte per element (a map's element also its
  name's bytes); a set: the sum of its elements' sizes;
* a standard write costs 1 write unit per 1 KB (1,024 bytes) of the item, rounded up (at least 1); an
  update is charged on the larger of the item before and after; inside ``TransactWriteItems`` each
  item costs twice that;
* a global secondary index entry holds the table's key, the index's key and the projected attributes;
  an index is written only when the entry changes: a new entry is a put, a vanished one a delete, an
  entry whose index key changed is a delete and a put, one whose projected attributes changed (key
  unchanged) a put; an unchanged entry costs nothing. Index writes are not doubled by a transaction.
  (The 100 bytes per item the guide adds are storage overhead, not write size.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

KILOBYTE = 1024
CONTAINER_OVERHEAD = 3  # a list or map
ELEMENT_OVERHEAD = 1  # each element of a list or map

Item = Mapping[str, Mapping[str, Any]]  # DynamoDB's wire form


def number_size(text: str) -> int:
    """1 byte per two significant digits, plus 1 ("1000" has 1 significant digit: 2 bytes)."""
    digits = "".join(character for character in text if character.isdigit())
    if "e" in text.lower():  # an exponent's digits are not significant digits of the value
        mantissa = text.lower().split("e")[0]
        digits = "".join(character for character in mantissa if character.isdigit())
    significant = digits.strip("0")
    return math.ceil(max(len(significant), 1) / 2) + 1  # zero: one digit


def value_size(value: Mapping[str, Any]) -> int:
    """The size of one attribute value in DynamoDB's wire form (its name not included)."""
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode("utf-8"))
    if kind == "N":
        return number_size(content)
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(element.encode("utf-8")) for element in content)
    if kind == "NS":
        return sum(number_size(element) for element in content)
    if kind == "BS":
        return sum(len(element) for element in content)
    if kind == "L":
        return CONTAINER_OVERHEAD + sum(value_size(element) + ELEMENT_OVERHEAD for element in content)
    if kind == "M":
        return CONTAINER_OVERHEAD + sum(
            len(name.encode("utf-8")) + value_size(element) + ELEMENT_OVERHEAD for name, element in content.items()
        )
    raise ValueError(f"not a DynamoDB attribute value type: {kind!r}")


def item_size(item: Item) -> int:
    """Bytes of an item: attribute names plus values."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def units(size: int) -> int:
    """Write units for an item of ``size`` bytes: 1 per KB, rounded up, at least 1."""
    return max(1, math.ceil(size / KILOBYTE))


@dataclass(frozen=True)
class IndexShape:
    """What a global secondary index holds: its key attributes and projection (``None``: ALL; an
    empty tuple: KEYS_ONLY; else INCLUDE those attributes)."""

    name: str
    partition_key: str
    sort_key: str
    projection: tuple[str, ...] | None


def index_entry(item: Item | None, index: IndexShape, table_keys: Iterable[str]) -> dict[str, Any] | None:
    """The entry an item has in a (sparse) index, or None when it lacks the index's keys."""
    if not item or index.partition_key not in item or index.sort_key not in item:
        return None
    if index.projection is None:
        return dict(item)
    kept = {*table_keys, index.partition_key, index.sort_key, *index.projection}
    return {name: value for name, value in item.items() if name in kept}


def index_write_units(before: Item | None, after: Item | None, index: IndexShape, table_keys: Iterable[str]) -> int:
    """Write units the index spends when an item changes from ``before`` to ``after``."""
    keys = tuple(table_keys)
    old, new = index_entry(before, index, keys), index_entry(after, index, keys)
    if old == new:
        return 0
    if old is None:
        return units(item_size(new or {}))
    if new is None:
        return units(item_size(old))
    if (old[index.partition_key], old[index.sort_key]) != (new[index.partition_key], new[index.sort_key]):
        return units(item_size(old)) + units(item_size(new))
    return units(item_size(new))


def table_write_units(before: Item | None, after: Item | None, *, in_transaction: bool) -> int:
    """Write units of one table write: the larger image, doubled in a transaction."""
    size = max(item_size(before or {}), item_size(after or {}))
    return units(size) * (2 if in_transaction else 1)
