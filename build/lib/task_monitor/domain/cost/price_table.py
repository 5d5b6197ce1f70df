"""The price table: list prices by family, device (or instance type) and region, each with its source.

The document format is the shared contract of issue 14 (``docs/costs.md``): the table shipped as
``prices.json``, the one the refresh stores in the audit table and cdk.json's ``prices`` overrides all
have it. Parsing is strict about what it uses (a bad amount names its entry and field) and ignores
keys it does not know, so a newer document still loads. Amounts are ``Decimal`` from decimal strings:
never a float, so ``0.00145`` stays ``0.00145``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
QPU_TASK = "qpuTask"
SIMULATOR = "simulator"
JOB_QPU_TASK = "jobQpuTask"
JOB_SIMULATOR = "jobSimulator"
JOB_INSTANCE = "jobInstance"
# What each family is priced by, and so which amounts its entries must have.
PER_TASK_AND_SHOT_FAMILIES = frozenset({QPU_TASK, JOB_QPU_TASK})
PER_MINUTE_DEVICE_FAMILIES = frozenset({SIMULATOR, JOB_SIMULATOR})
FAMILIES = PER_TASK_AND_SHOT_FAMILIES | PER_MINUTE_DEVICE_FAMILIES | {JOB_INSTANCE}
CONFIDENCE_LETTERS = frozenset("ABCI")  # OFFLINE-FACTS: AWS published, AWS code/API model, third party, inferred
ANY_REGION = "*"
# Braket bills simulators for at least 3 s a task (the SDK's Tracker, MIN_SIMULATOR_DURATION) [B].
DEFAULT_MINIMUM_SECONDS = Decimal(3)
SHIPPED_TABLE = Path(__file__).with_name("prices.json")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^\d{1,9}(\.\d{1,12})?$")  # non-negative, plain notation: what a price list writes
_REGION = re.compile(r"^([a-z]{2}(-[a-z]+)+-\d|\*)$")


class InvalidPriceTable(ValueError):  # noqa: N818 - the name issue 14's contract gives it
    """A price table document that cannot be used, naming the entry and field at fault."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


@dataclass(frozen=True)
class PriceEntry:
    """One list price. ``subject`` is the device ARN, or the instance type for ``jobInstance``."""

    family: str
    subject: str
    region: str
    source: str
    confidence: str
    per_task_usd: Decimal | None = None
    per_shot_usd: Decimal | None = None
    per_minute_usd: Decimal | None = None
    minimum_seconds: Decimal | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.family, self.subject, self.region)


@dataclass(frozen=True)
class PriceTable:
    """The prices of one date, looked up by (family, device ARN or instance type, region)."""

    date: str
    source: str
    entries: Mapping[tuple[str, str, str], PriceEntry]

    @classmethod
    def from_document(cls, document: Any) -> PriceTable:
        """Validate a price table document (see the module docstring); raise InvalidPriceTable."""
        if not isinstance(document, Mapping):
            raise InvalidPriceTable("document", "expected a JSON object")
        if document.get("schemaVersion") != SCHEMA_VERSION:
            raise InvalidPriceTable(
                "schemaVersion", f"expected {SCHEMA_VERSION}, got {document.get('schemaVersion')!r}"
            )
        date = document.get("date")
        if not isinstance(date, str) or not _DATE.fullmatch(date):
            raise InvalidPriceTable("date", f"expected an ISO date (YYYY-MM-DD), got {date!r}")
        source = document.get("source")
        if not isinstance(source, str) or not source.strip():
            raise InvalidPriceTable("source", "expected a non-empty string saying where the prices come from")
        entries = document.get("entries")
        if not isinstance(entries, list):
            raise InvalidPriceTable("entries", "expected a list of price entries")
        return cls(date=date, source=source, entries=_index(parse_entries(entries, "entries")))

    @classmethod
    def from_json(cls, text: str | bytes) -> PriceTable:
        try:
            document = json.loads(text)
        except ValueError as error:
            raise InvalidPriceTable("document", f"not JSON ({error})") from error
        return cls.from_document(document)

    @classmethod
    def shipped(cls) -> PriceTable:
        """The table packaged with the function (``prices.json``)."""
        return cls.from_json(SHIPPED_TABLE.read_bytes())

    def with_overrides(self, overrides: Sequence[PriceEntry]) -> PriceTable:
        """This table with ``overrides`` (already parsed) replacing entries of the same key or added."""
        if not overrides:
            return self
        merged = dict(self.entries)
        merged.update(_index(overrides))
        return PriceTable(date=self.date, source=f"{self.source}; {len(overrides)} entries overridden", entries=merged)

    def lookup(self, family: str, subject: str, region: str) -> PriceEntry | None:
        """The entry for the region, else the one for any region ("*"), else None."""
        return self.entries.get((family, subject, region)) or self.entries.get((family, subject, ANY_REGION))


def parse_entries(entries: Iterable[Any], where: str) -> list[PriceEntry]:
    """Validate a list of entries (a document's, or cdk.json's ``prices``); raise InvalidPriceTable."""
    return [_entry(entry, f"{where}[{index}]") for index, entry in enumerate(entries)]


def _index(entries: Iterable[PriceEntry]) -> dict[tuple[str, str, str], PriceEntry]:
    return {entry.key: entry for entry in entries}


def _entry(entry: Any, where: str) -> PriceEntry:
    if not isinstance(entry, Mapping):
        raise InvalidPriceTable(where, "expected an object")
    family = entry.get("family")
    if family not in FAMILIES:
        raise InvalidPriceTable(f"{where}.family", f"expected one of {', '.join(sorted(FAMILIES))}, got {family!r}")
    subject_field = "instanceType" if family == JOB_INSTANCE else "device"
    subject = _text(entry, subject_field, where)
    region = entry.get("region")
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise InvalidPriceTable(f"{where}.region", f'expected an AWS region code or "*", got {region!r}')
    confidence = entry.get("confidence")
    if confidence not in CONFIDENCE_LETTERS:
        raise InvalidPriceTable(f"{where}.confidence", f"expected one of A, B, C, I, got {confidence!r}")
    common = {
        "family": family,
        "subject": subject,
        "region": region,
        "source": _text(entry, "source", where),
        "confidence": confidence,
    }
    if family in PER_TASK_AND_SHOT_FAMILIES:
        return PriceEntry(
            **common,
            per_task_usd=_amount(entry, "perTaskUsd", where),
            per_shot_usd=_amount(entry, "perShotUsd", where),
        )
    minimum = None
    if family in PER_MINUTE_DEVICE_FAMILIES:
        minimum = DEFAULT_MINIMUM_SECONDS
        if "minimumSeconds" in entry:
            minimum = _whole_seconds(entry["minimumSeconds"], f"{where}.minimumSeconds")
    return PriceEntry(**common, per_minute_usd=_amount(entry, "perMinuteUsd", where), minimum_seconds=minimum)


def _text(entry: Mapping[str, Any], field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidPriceTable(f"{where}.{field}", f"expected a non-empty string, got {value!r}")
    return value


def _amount(entry: Mapping[str, Any], field: str, where: str) -> Decimal:
    """A USD amount as a decimal string ("0.00145"): never a JSON number, which may have been a float."""
    value = entry.get(field)
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise InvalidPriceTable(
            f"{where}.{field}", f'expected a non-negative decimal string such as "0.00145", got {value!r}'
        )
    try:
        return Decimal(value)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only decimals
        raise InvalidPriceTable(f"{where}.{field}", f"{value!r} is not a decimal") from error


def _whole_seconds(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3600:
        raise InvalidPriceTable(where, f"expected a whole number of seconds 0..3600, got {value!r}")
    return Decimal(value)
