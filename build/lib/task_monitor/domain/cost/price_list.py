"""The AWS Price List for Amazon Braket, read into a price table document (pure: no AWS calls).

Two inputs, one result. ``pricing:GetProducts`` answers (service code ``AmazonBraket``) hand over each
product as a JSON string; the bulk offer file ``index.csv`` has a few metadata rows, a header row, then
one row per price. Both become ``PriceRow`` values, and ``build_document`` turns rows into the price
table document of the cost model (``schemaVersion``, ``date``, ``source``, ``entries``).

Tolerant on purpose: a product this code cannot read (a malformed entry, an unknown unit, a device no
known ARN matches, or matches twice) is skipped and reported as a ``Problem``, never fatal, so one odd
product does not stop a weekly refresh. Columns and attributes are found by name, compared without case,
spaces or punctuation ("Region Code", "regionCode" and "regioncode" are one name).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

SCHEMA_VERSION = 1
SERVICE_CODE = "AmazonBraket"

# The product family -> (the table's family, the entry field its price fills, the unit it is kept in).
PER_TASK, PER_SHOT, PER_MINUTE = "perTaskUsd", "perShotUsd", "perMinuteUsd"
FAMILIES: dict[str, tuple[str, str]] = {
    "quantumtask": ("qpuTask", PER_TASK),
    "quantumtaskshot": ("qpuTask", PER_SHOT),
    "simulatortask": ("simulator", PER_MINUTE),
    "braketmanagedjobsqputask": ("jobQpuTask", PER_TASK),
    "braketmanagedjobsqputaskshot": ("jobQpuTask", PER_SHOT),
    "braketmanagedjobssimulatortask": ("jobSimulator", PER_MINUTE),
    "braketmanagedjobsinstance": ("jobInstance", PER_MINUTE),
}
# Families that are Braket's but not priced per task, shot or minute (reservations are billed by the hour
# and carry no task fees): skipped without a problem.
IGNORED_FAMILIES = frozenset({"quantumreservation"})
QPU_FAMILIES = frozenset({"qpuTask", "jobQpuTask"})
SIMULATOR_FAMILIES = frozenset({"simulator", "jobSimulator"})
# The Braket SDK's Tracker (MIN_SIMULATOR_DURATION, [B]): a simulator task is billed at least 3 seconds.
# The Price List does not state it.
SIMULATOR_MINIMUM_SECONDS = 3

# Devices the price list may name, besides those of the shipped table: QPUs carry their region.
KNOWN_DEVICE_ARNS: tuple[str, ...] = (
    "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
    "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-Enterprise-1",
    "arn:aws:braket:us-east-1::device/qpu/quera/Aquila",
    "arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3",
    "arn:aws:braket:us-west-1::device/qpu/rigetti/Cepheus-1-108Q",
    "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet",
    "arn:aws:braket:eu-north-1::device/qpu/iqm/Emerald",
    "arn:aws:braket:eu-north-1::device/qpu/aqt/Ibex-Q1",
    "arn:aws:braket:::device/quantum-simulator/amazon/sv1",
    "arn:aws:braket:::device/quantum-simulator/amazon/dm1",
    "arn:aws:braket:::device/quantum-simulator/amazon/tn1",
)

# A unit: an optional count ("1000 Shots") and a word; the factor turns its price into the field's unit.
_UNIT = re.compile(r"^\s*(?P<count>\d[\d,]*)?\s*(?P<word>[A-Za-z-]+)\s*$")
_TASK_UNITS = frozenset({"task", "quantumtask", "request"})
_SHOT_UNITS = frozenset({"shot"})
# Per-minute prices: a unit's price times the first number, divided by the second.
_PER_MINUTE = {
    "ms": (60_000, 1),
    "millisecond": (60_000, 1),
    "second": (60, 1),
    "sec": (60, 1),
    "minute": (1, 1),
    "min": (1, 1),
    "hour": (1, 60),
    "hr": (1, 60),
}
# A per-hour price divided by 60 may not end (0.1/60): kept to this many decimal places (a
# millionth of a millionth of a dollar per minute), rounded half to even.
PER_MINUTE_PLACES = Decimal("1e-12")


def name_key(name: str) -> str:
    """A column or attribute name compared without case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Problem:
    """A product skipped, and why; ``where`` names it (a SKU, a CSV line, a device name)."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass(frozen=True)
class PriceRow:
    """One on-demand USD price of one Braket product, as the Price List states it."""

    where: str  # the SKU, or the CSV line: for problems and the entry's source
    family: str  # the Price List's product family, as written
    region: str
    price_usd: Decimal
    unit: str
    devicename: str = ""
    version: str = ""
    instance_type: str = ""
    usage_type: str = ""


class PriceListError(ValueError):
    """The input as a whole is not a Price List (not one row or product could be read)."""


# -- GetProducts --------------------------------------------------------------------------------------
def rows_from_products(price_list: Iterable[str | Mapping[str, Any]]) -> tuple[list[PriceRow], list[Problem]]:
    """GetProducts' ``PriceList`` entries (JSON strings, as the API sends them): their on-demand USD prices."""
    rows: list[PriceRow] = []
    problems: list[Problem] = []
    for index, entry in enumerate(price_list):
        where = f"PriceList[{index}]"
        try:
            product = json.loads(entry) if isinstance(entry, str) else entry
            if not isinstance(product, Mapping):
                raise ValueError("not a JSON object")
            where = str(_dig(product, "product", "sku") or where)
            row_or_none = _row_from_product(product, where)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            problems.append(Problem(where, f"unreadable product ({type(error).__name__}: {error})"))
            continue
        if isinstance(row_or_none, Problem):
            problems.append(row_or_none)
        elif row_or_none is not None:
            rows.append(row_or_none)
    return rows, problems


def _row_from_product(product: Mapping[str, Any], where: str) -> PriceRow | Problem | None:
    details = product["product"]
    family = str(details.get("productFamily") or "")
    attributes = {name_key(str(k)): str(v) for k, v in (details.get("attributes") or {}).items()}
    if name_key(family) in IGNORED_FAMILIES:
        return None
    dimensions = [
        dimension
        for term in (_dig(product, "terms", "OnDemand") or {}).values()
        for dimension in (term.get("priceDimensions") or {}).values()
        if str(dimension.get("beginRange", "0")) in ("0", "0.0")
    ]
    priced = {(str(d.get("pricePerUnit", {}).get("USD")), str(d.get("unit", ""))) for d in dimensions}
    priced = {(usd, unit) for usd, unit in priced if usd != "None"}
    if not priced:
        return Problem(where, f"no on-demand USD price ({family or 'no product family'})")
    if len(priced) > 1:
        return Problem(where, f"several on-demand prices {sorted(priced)}: which one applies is not known")
    ((usd, unit),) = priced
    return _row(
        where,
        family,
        usd,
        unit,
        region=attributes.get("regioncode", ""),
        devicename=attributes.get("devicename", ""),
        version=attributes.get("version", ""),
        instance_type=attributes.get("instancetype", ""),
        usage_type=attributes.get("usagetype", ""),
    )


def _row(where: str, family: str, usd: str, unit: str, **attributes: str) -> PriceRow | Problem:
    try:
        price = Decimal(usd.strip())
    except InvalidOperation:
        return Problem(where, f"price {usd!r} is not a decimal number")
    if not price.is_finite() or price < 0:
        return Problem(where, f"price {usd!r} is not a non-negative amount")
    return PriceRow(where=where, family=family, price_usd=price, unit=unit, **attributes)


def publication_date_of_products(price_list: Iterable[str | Mapping[str, Any]]) -> str | None:
    """The latest ``publicationDate`` among the products (YYYY-MM-DD), if they carry one."""
    dates = []
    for entry in price_list:
        try:
            product = json.loads(entry) if isinstance(entry, str) else entry
        except ValueError:
            continue
        if isinstance(product, Mapping) and isinstance(product.get("publicationDate"), str):
            dates.append(product["publicationDate"][:10])
    return max(dates) if dates else None


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


# -- index.csv ----------------------------------------------------------------------------------------
# The columns read, by name (compared with name_key). Which of them the bulk file has is inferred from
# the GetProducts attributes and AWS's other offer files, not from a published AmazonBraket index.csv:
# docs/prices.md says so.
_CSV_PRICE, _CSV_UNIT, _CSV_FAMILY = "priceperunit", "unit", "productfamily"


@dataclass(frozen=True)
class CsvPriceList:
    rows: list[PriceRow]
    problems: list[Problem]
    metadata: dict[str, str]  # the rows before the header: "Publication Date" -> "2026-11-01T00:00:00Z", ...

    @property
    def publication_date(self) -> str | None:
        value = next((v for k, v in self.metadata.items() if name_key(k) == "publicationdate"), None)
        return value[:10] if value else None


def rows_from_index_csv(text: str) -> CsvPriceList:
    """The bulk offer file: metadata rows (name, value) until the header row, which is the first row
    naming both a price-per-unit and a product-family column (AWS writes 5 metadata rows; not assumed)."""
    reader = csv.reader(io.StringIO(text))
    metadata: dict[str, str] = {}
    header: list[str] | None = None
    for cells in reader:
        keys = [name_key(cell) for cell in cells]
        if _CSV_PRICE in keys and _CSV_FAMILY in keys:
            header = keys
            break
        if len(cells) >= 2:
            metadata[cells[0].strip()] = cells[1].strip()
    if header is None:
        raise PriceListError("no header row with PricePerUnit and Product Family columns: not a Price List index.csv")
    rows: list[PriceRow] = []
    problems: list[Problem] = []
    column = {name: i for i, name in reversed(list(enumerate(header)))}  # the first of a repeated name
    for cells in reader:
        where = f"line {reader.line_num}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(where, f"{len(cells)} cells where the header has {len(header)}"))
            continue

        def cell(name: str, cells: Sequence[str] = cells) -> str:
            return cells[column[name]].strip() if name in column else ""

        family = cell(_CSV_FAMILY)
        if name_key(family) in IGNORED_FAMILIES:
            continue
        if cell("termtype") and name_key(cell("termtype")) != "ondemand":
            continue
        if cell("currency") and cell("currency").upper() != "USD":
            continue
        if cell("startingrange") not in ("", "0", "0.0"):
            continue
        where = f"{where} (SKU {cell('sku')})" if cell("sku") else where
        row = _row(
            where,
            family,
            cell(_CSV_PRICE),
            cell(_CSV_UNIT),
            region=cell("regioncode"),
            devicename=cell("devicename"),
            version=cell("version"),
            instance_type=cell("instancetype"),
            usage_type=cell("usagetype"),
        )
        (problems if isinstance(row, Problem) else rows).append(row)  # type: ignore[arg-type]
    return CsvPriceList(rows=rows, problems=problems, metadata=metadata)


# -- devices ------------------------------------------------------------------------------------------
class DeviceNames:
    """Price List device names to device ARNs, matched the way the Braket SDK's Tracker does: the ARN's
    last segment against ``devicename`` without regard to case ("Ibex-Q1" is "IBEX-Q1"), in the price's
    region for QPUs; simulators by ``version`` (SV1, DM1, TN1). No match, or more than one, is a Problem."""

    def __init__(self, device_arns: Iterable[str]) -> None:
        self._qpus: dict[str, list[tuple[str, str]]] = {}
        self._simulators: dict[str, list[str]] = {}
        for arn in dict.fromkeys(device_arns):
            parts = arn.split(":", 5)
            if len(parts) != 6 or not parts[5].startswith("device/"):
                continue
            region, name = parts[3], parts[5].rsplit("/", 1)[-1]
            if "/quantum-simulator/" in parts[5]:
                self._simulators.setdefault(name.casefold(), []).append(arn)
            else:
                self._qpus.setdefault(name.casefold(), []).append((region, arn))

    def qpu(self, devicename: str, region: str) -> str:
        """The ARN, or raises LookupError saying why."""
        if not devicename:
            raise LookupError("no devicename")
        candidates = self._qpus.get(devicename.casefold(), [])
        here = [arn for arn_region, arn in candidates if arn_region == region]
        if len(here) == 1:
            return here[0]
        if len(here) > 1:
            raise LookupError(f"devicename {devicename!r} matches {len(here)} known devices in {region}")
        elsewhere = sorted({arn_region for arn_region, _ in candidates})
        hint = f" (known in {', '.join(elsewhere)})" if elsewhere else ""
        raise LookupError(f"devicename {devicename!r} matches no known device in {region or 'no region'}{hint}")

    def simulator(self, version: str) -> str:
        candidates = self._simulators.get(version.casefold(), []) if version else []
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise LookupError(f"simulator version {version!r} matches no known simulator")
        raise LookupError(f"simulator version {version!r} matches {len(candidates)} known simulators")


def device_arns_of(document: Mapping[str, Any] | None) -> list[str]:
    """The device ARNs a price table document names (the shipped table's, to extend KNOWN_DEVICE_ARNS)."""
    entries = (document or {}).get("entries") or []
    return [str(entry["device"]) for entry in entries if isinstance(entry, Mapping) and entry.get("device")]


# -- units --------------------------------------------------------------------------------------------
def converted_price(price: Decimal, unit: str, field: str) -> Decimal:
    """``price`` per ``unit`` as the entry ``field`` keeps it (per task, per shot, per minute);
    raises ValueError for a unit that does not fit the field."""
    match = _UNIT.match(unit or "")
    if not match:
        raise ValueError(f"unit {unit!r} is not understood")
    count = Decimal(match["count"].replace(",", "")) if match["count"] else Decimal(1)
    if count <= 0:
        raise ValueError(f"unit {unit!r} counts nothing")
    word = match["word"].lower()
    words = {word, word.removesuffix("s")}
    per_one = price / count
    if field == PER_TASK and words & _TASK_UNITS:
        return per_one
    if field == PER_SHOT and words & _SHOT_UNITS:
        return per_one
    known = sorted(words & set(_PER_MINUTE))
    if field == PER_MINUTE and known:
        times, divided_by = _PER_MINUTE[known[0]]
        per_minute = per_one * times / divided_by
        return per_minute if divided_by == 1 else per_minute.quantize(PER_MINUTE_PLACES, rounding=ROUND_HALF_EVEN)
    raise ValueError(f"unit {unit!r} does not fit {field}")


def decimal_text(amount: Decimal) -> str:
    """A decimal string without exponent or trailing zeros ("0.08", "0.00145", "0")."""
    text = format(amount.normalize(), "f")
    return "0" if Decimal(text) == 0 else text


# -- the document -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PriceDocument:
    document: dict[str, Any]
    problems: list[Problem]


def build_document(
    rows: Iterable[PriceRow], *, devices: DeviceNames, date: str, source: str, entry_source: str
) -> PriceDocument:
    """The price table document of ``rows``: one entry per family, device (or instance type) and region.
    A QPU entry needs both its per-task and its per-shot price; two different prices for one field are
    a conflict. Either way the entry is left out and the problem reported. Raises PriceListError when
    no entry at all could be made: an empty table must never replace a real one."""
    problems: list[Problem] = []
    fields: dict[tuple[str, str, str], dict[str, tuple[Decimal, str]]] = {}
    for row in rows:
        family_key = name_key(row.family)
        if family_key in IGNORED_FAMILIES:
            continue
        if family_key not in FAMILIES:
            problems.append(Problem(row.where, f"product family {row.family!r} is not one this table prices"))
            continue
        family, field = FAMILIES[family_key]
        if not row.region:
            problems.append(Problem(row.where, f"{row.family}: no region code"))
            continue
        try:
            subject = _subject(family, row, devices)
            amount = converted_price(row.price_usd, row.unit, field)
        except (LookupError, ValueError) as error:
            problems.append(Problem(row.where, f"{row.family}: {error.args[0]}"))
            continue
        slot = fields.setdefault((family, subject, row.region), {})
        if field in slot and slot[field][0] != amount:
            problems.append(
                Problem(row.where, f"{row.family} {subject} {row.region}: {field} {amount} and {slot[field][0]}")
            )
            slot[field] = (Decimal(-1), row.where)  # a conflict: the entry is dropped below
            continue
        slot[field] = (amount, row.where)
    entries = []
    for (family, subject, region), slot in sorted(fields.items()):
        entry = _entry(family, subject, region=region, slot=slot, entry_source=entry_source, problems=problems)
        if entry is not None:
            entries.append(entry)
    if not entries:
        raise PriceListError(
            f"no price could be read ({len(problems)} problem(s); first: {problems[0] if problems else 'no rows'})"
        )
    document = {"schemaVersion": SCHEMA_VERSION, "date": date, "source": source, "entries": entries}
    return PriceDocument(document=document, problems=problems)


def _subject(family: str, row: PriceRow, devices: DeviceNames) -> str:
    if family in QPU_FAMILIES:
        return devices.qpu(row.devicename, row.region)
    if family in SIMULATOR_FAMILIES:
        return devices.simulator(row.version or row.devicename)
    if not row.instance_type:
        raise LookupError("no instance type")
    return row.instance_type


def _entry(
    family: str,
    subject: str,
    *,
    region: str,
    slot: dict[str, tuple[Decimal, str]],
    entry_source: str,
    problems: list[Problem],
) -> dict[str, Any] | None:
    where = ", ".join(sorted({w for _, w in slot.values()}))
    if any(amount < 0 for amount, _ in slot.values()):
        return None  # conflicting prices, reported when found
    needed = (PER_TASK, PER_SHOT) if family in QPU_FAMILIES else (PER_MINUTE,)
    missing = [field for field in needed if field not in slot]
    if missing:
        problems.append(Problem(where, f"{family} {subject} {region}: no {' or '.join(missing)}; entry left out"))
        return None
    entry: dict[str, Any] = {"family": family}
    entry["instanceType" if family == "jobInstance" else "device"] = subject
    entry["region"] = region
    for field in needed:
        entry[field] = decimal_text(slot[field][0])
    if family in SIMULATOR_FAMILIES:
        entry["minimumSeconds"] = SIMULATOR_MINIMUM_SECONDS
    entry["source"] = f"{entry_source} ({where})"
    entry["confidence"] = "A"
    return entry


def known_devices(shipped: Mapping[str, Any] | None = None) -> DeviceNames:
    """The ARNs the Price List's names are matched against: this module's list and the shipped table's."""
    return DeviceNames([*KNOWN_DEVICE_ARNS, *device_arns_of(shipped)])


def document_from_products(
    price_list: Sequence[str | Mapping[str, Any]], *, today: str, pricing_region: str, devices: DeviceNames
) -> PriceDocument:
    """The document of GetProducts' answers (every page's ``PriceList`` entries, in order)."""
    rows, problems = rows_from_products(price_list)
    published = publication_date_of_products(price_list)
    source = f"AWS Price List API ({SERVICE_CODE}), {pricing_region}, read {today}"
    if published:
        source += f", published {published}"
    built = build_document(rows, devices=devices, date=today, source=source, entry_source="AWS Price List API")
    return PriceDocument(built.document, problems + built.problems)


def document_from_index_csv(text: str, *, file_name: str, today: str, devices: DeviceNames) -> PriceDocument:
    """The document of a bulk ``index.csv`` (``file_name`` only names it in the sources)."""
    price_list = rows_from_index_csv(text)
    published = price_list.publication_date or "not stated"
    source = f"AWS Price List index.csv {file_name}, publication date {published}, read {today}"
    entry_source = f"AWS Price List index.csv {file_name}"
    built = build_document(price_list.rows, devices=devices, date=today, source=source, entry_source=entry_source)
    return PriceDocument(built.document, price_list.problems + built.problems)


# -- the document's shape (the contract of docs/prices.md; the cost model reads it) --------------------
FAMILY_FIELDS: dict[str, tuple[str, ...]] = {
    "qpuTask": ("device", PER_TASK, PER_SHOT),
    "jobQpuTask": ("device", PER_TASK, PER_SHOT),
    "simulator": ("device", PER_MINUTE),
    "jobSimulator": ("device", PER_MINUTE),
    "jobInstance": ("instanceType", PER_MINUTE),
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^\d+(?:\.\d+)?$")


def document_shape_problems(document: Any) -> list[str]:
    """What keeps ``document`` from being a price table document (empty when it is one): checked before a
    stored table is used, and by the tests on every document the refresh makes. Unknown keys are allowed."""
    if not isinstance(document, Mapping):
        return [f"not a JSON object but {type(document).__name__}"]
    problems = []
    if document.get("schemaVersion") != SCHEMA_VERSION:
        problems.append(f"schemaVersion {document.get('schemaVersion')!r} is not {SCHEMA_VERSION}")
    if not isinstance(document.get("date"), str) or not _ISO_DATE.match(document["date"]):
        problems.append(f"date {document.get('date')!r} is not YYYY-MM-DD")
    if not isinstance(document.get("source"), str) or not document["source"]:
        problems.append("no source")
    entries = document.get("entries")
    if not isinstance(entries, list) or not entries:
        return [*problems, "entries is not a non-empty list"]
    for index, entry in enumerate(entries):
        family = entry.get("family") if isinstance(entry, Mapping) else None
        if not isinstance(entry, Mapping) or family not in FAMILY_FIELDS:
            problems.append(f"entries[{index}]: family {family!r} is not known")
            continue
        for name in ("region", "source", *FAMILY_FIELDS[entry["family"]]):
            value = entry.get(name)
            if not isinstance(value, str) or not value:
                problems.append(f"entries[{index}]: no {name}")
            elif name.endswith("Usd") and not _AMOUNT.match(value):
                problems.append(f"entries[{index}]: {name} {value!r} is not a decimal string")
    return problems
