"""The scheduled price refresh: a Lambda entry point of its own, in the same asset as the monitor.

EventBridge invokes it on the stack's schedule (``priceRefreshSchedule``, weekly by default). It reads
every AmazonBraket product with ``pricing:GetProducts`` in the Pricing API's region (``PRICING_REGION``,
us-east-1 by default: the API is not served from Braket's regions), turns them into a price table
document and stores it in the audit table (pk ``PRICES``, sk ``CURRENT``), never over a later one.
Products it cannot read are skipped, logged and counted (``PriceListSkippedProducts``); a Price List
that yields no price at all fails the invocation and stores nothing.

Only this function imports this module: the monitor's cold start does not pay for it. The CLI's
``prices update`` runs ``refresh_from_api`` / ``refresh_from_index_csv`` in the operator's process.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from task_monitor.adapters.price_list import PRICING_REGIONS, read_price_list
from task_monitor.adapters.price_tables import DynamoPriceTables, SaveResult, load_shipped_document
from task_monitor.domain.cost.price_list import (
    PriceDocument,
    document_from_index_csv,
    document_from_products,
    known_devices,
)
from task_monitor.errors import ConfigurationError

DEFAULT_PRICING_REGION = "us-east-1"
MAX_LOGGED_PROBLEMS = 50  # one log line each; the rest are counted only


@dataclass(frozen=True)
class RefreshResult:
    built: PriceDocument
    saved: SaveResult | None  # None: a dry run

    def summary(self) -> dict[str, Any]:
        document = self.built.document
        return {
            "date": document["date"],
            "source": document["source"],
            "entries": len(document["entries"]),
            "skippedProducts": len(self.built.problems),
            "stored": None if self.saved is None else self.saved.written,
            "storedDate": None if self.saved is None else self.saved.stored_date,
        }


def today_utc() -> str:
    return datetime.now(UTC).date().isoformat()


def utc_timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def pricing_region_from(value: str | None) -> str:
    """The Pricing API's region, one of the three that serve it (a clear error for any other)."""
    region = (value or DEFAULT_PRICING_REGION).strip()
    if region not in PRICING_REGIONS:
        raise ConfigurationError(f"the Price List API is served only from {', '.join(PRICING_REGIONS)}; got {region!r}")
    return region


def refresh_from_api(
    pricing_client: Any, tables: DynamoPriceTables | None, *, pricing_region: str, today: str | None = None
) -> RefreshResult:
    """GetProducts -> document -> stored (``tables`` None: a dry run, nothing written)."""
    today = today or today_utc()
    entries = read_price_list(pricing_client)
    built = document_from_products(
        entries, today=today, pricing_region=pricing_region, devices=known_devices(_shipped_or_none())
    )
    return RefreshResult(built, tables.save(built.document, utc_timestamp()) if tables else None)


def refresh_from_index_csv(
    text: str, file_name: str, tables: DynamoPriceTables | None, *, today: str | None = None
) -> RefreshResult:
    """A bulk ``index.csv`` -> document -> stored (``tables`` None: a dry run)."""
    today = today or today_utc()
    built = document_from_index_csv(text, file_name=file_name, today=today, devices=known_devices(_shipped_or_none()))
    return RefreshResult(built, tables.save(built.document, utc_timestamp()) if tables else None)


def _shipped_or_none() -> dict[str, Any] | None:
    """The shipped table, only to learn more device ARNs: the refresh works without it."""
    try:
        return load_shipped_document()
    except (OSError, ValueError):
        return None


# -- the Lambda entry point ---------------------------------------------------------------------------
@functools.cache
def _container() -> tuple[Any, DynamoPriceTables, str]:
    """Clients made once per container, on the first invocation."""
    import botocore.session
    from botocore.config import Config

    table = os.environ.get("AUDIT_TABLE_NAME", "").strip()
    if not table:
        raise ConfigurationError("AUDIT_TABLE_NAME is not set")
    region = pricing_region_from(os.environ.get("PRICING_REGION"))
    session = botocore.session.get_session()
    # Throttling and 5xx are retried here (standard mode); GetProducts allows a few requests per second.
    config = Config(retries={"mode": "standard", "total_max_attempts": 8}, connect_timeout=3, read_timeout=20)
    pricing = session.create_client("pricing", region_name=region, config=config)
    dynamodb = session.create_client("dynamodb", config=config)
    return pricing, DynamoPriceTables(dynamodb, table), region


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    from task_monitor import telemetry_names as names
    from task_monitor.observability import logger, metrics
    from task_monitor.telemetry import MetricUnit

    pricing, tables, region = _container()
    try:
        result = refresh_from_api(pricing, tables, pricing_region=region)
        for problem in result.built.problems[:MAX_LOGGED_PROBLEMS]:
            logger.warning("Price List product skipped", extra={"where": problem.where, "problem": problem.problem})
        metrics.add_metric(
            name=names.PRICE_LIST_SKIPPED_PRODUCTS, unit=MetricUnit.Count, value=len(result.built.problems)
        )
        summary = result.summary()
        logger.info("Price table refreshed" if result.saved and result.saved.written else "Price table kept",
                    extra=summary)  # fmt: skip
        return summary
    finally:
        metrics.flush_metrics()
