"""Plain Python values to DynamoDB attribute values and back.

Written here rather than taken from boto3 so the function needs only botocore: importing boto3
adds to every cold start and nothing else in the function uses it.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def to_attribute(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"DynamoDB cannot store the number {value!r}")
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, dict):
        return {"M": to_item(value)}
    if isinstance(value, list | tuple):
        return {"L": [to_attribute(item) for item in value]}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def to_item(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(key): to_attribute(value) for key, value in values.items()}


def from_attribute(attribute: dict[str, Any]) -> Any:
    ((kind, value),) = attribute.items()
    if kind == "S":
        return value
    if kind == "N":
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "M":
        return from_item(value)
    if kind == "L":
        return [from_attribute(item) for item in value]
    raise TypeError(f"unexpected DynamoDB attribute type {kind}")


def from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {key: from_attribute(attribute) for key, attribute in item.items()}
