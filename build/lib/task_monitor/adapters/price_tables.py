"""The current price table in the audit table (``pk = PRICES``, ``sk = CURRENT``), written by the refresh
and read by the function.

Writing is conditional: a document never replaces one with a later ``date`` (a slow refresh finishing
after a newer one, or an operator loading an old ``index.csv``, cannot roll prices back); the same date
replaces (a re-run the same day corrects). Reading is cached per container and read again after a while;
when the stored table is absent or unreadable the shipped one is used, with a log line and the
``PriceTableFallbacks`` metric (through ``on_fallback``), and the read is tried again sooner.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from task_monitor.domain.cost.price_list import document_shape_problems

PRICES_PARTITION = "PRICES"
CURRENT_SORT_KEY = "CURRENT"
# How long a container keeps the table it read before reading it again (PRICE_TABLE_REREAD_SECONDS).
DEFAULT_REREAD_SECONDS = 6 * 3600
# After a failed or empty read, the next attempt comes sooner: the table may just have been written.
RETRY_AFTER_FALLBACK_SECONDS = 300

Document = dict[str, Any]
# The table shipped with the function (written by the cost model's owners): the fallback.
SHIPPED_PRICES = Path(__file__).resolve().parents[1] / "domain" / "cost" / "prices.json"


def load_shipped_document(path: Path = SHIPPED_PRICES) -> Document:
    """The shipped price table document; raises OSError if absent, ValueError if it is not one."""
    document = json.loads(path.read_text(encoding="utf-8"))
    problems = document_shape_problems(document)
    if problems:
        raise ValueError(f"{path.name} is not a price table document: {'; '.join(problems[:3])}")
    return dict(document)


@dataclass(frozen=True)
class SaveResult:
    written: bool
    stored_date: str  # the date now stored: the new one, or the later one that was kept


class DynamoPriceTables:
    """Reads and writes the one current price table item."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self) -> dict[str, Any]:
        return {"pk": {"S": PRICES_PARTITION}, "sk": {"S": CURRENT_SORT_KEY}}

    def save(self, document: Document, updated_at: str) -> SaveResult:
        """Store ``document`` unless the stored one has a later date (then keep that and say so)."""
        problems = document_shape_problems(document)
        if problems:
            raise ValueError(f"not a price table document: {'; '.join(problems)}")
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **self._key(),
                    "document": {"S": json.dumps(document, sort_keys=True, separators=(",", ":"))},
                    "date": {"S": document["date"]},
                    "updatedAt": {"S": updated_at},
                    "source": {"S": document["source"]},
                },
                ConditionExpression="attribute_not_exists(pk) OR #date <= :date",
                ExpressionAttributeNames={"#date": "date"},
                ExpressionAttributeValues={":date": {"S": document["date"]}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            stored = error.response.get("Item", {}).get("date", {}).get("S") or self._stored_date()
            return SaveResult(written=False, stored_date=stored or "unknown")
        return SaveResult(written=True, stored_date=document["date"])

    def _stored_date(self) -> str | None:
        item = self._client.get_item(TableName=self._table, Key=self._key(), ProjectionExpression="#d",
                                     ExpressionAttributeNames={"#d": "date"}).get("Item")  # fmt: skip
        return item["date"]["S"] if item and "date" in item else None

    def load(self) -> Document | None:
        """The stored document, or None if none is stored; raises ValueError if it is not a price table."""
        item = self._client.get_item(TableName=self._table, Key=self._key()).get("Item")
        if item is None:
            return None
        try:
            document = json.loads(item["document"]["S"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"the stored price table is not JSON text ({error})") from None
        problems = document_shape_problems(document)
        if problems:
            raise ValueError(f"the stored price table is not a price table document: {'; '.join(problems[:3])}")
        return dict(document)


class StoredPrices:
    """The price table document the function prices with: the stored one, read once per container and
    again after ``reread_seconds``; the shipped one (``shipped()``) while none is stored or it cannot be
    read. ``current()`` never raises for the stored table's sake."""

    def __init__(
        self,
        tables: DynamoPriceTables,
        shipped: Callable[[], Document],
        *,
        clock: Callable[[], float],
        on_fallback: Callable[[str], None],
        reread_seconds: float = DEFAULT_REREAD_SECONDS,
        retry_seconds: float = RETRY_AFTER_FALLBACK_SECONDS,
    ) -> None:
        self._tables = tables
        self._shipped = shipped
        self._clock = clock
        self._on_fallback = on_fallback
        self._reread_seconds = reread_seconds
        self._retry_seconds = min(retry_seconds, reread_seconds)
        self._document: Document | None = None
        self._from_store = False
        self._read_again_at = float("-inf")

    def current(self) -> Document:
        now = self._clock()
        if self._document is None or now >= self._read_again_at:
            self._read(now)
        assert self._document is not None
        return self._document

    def _read(self, now: float) -> None:
        try:
            stored = self._tables.load()
        except (ClientError, BotoCoreError, ValueError) as error:
            reason = f"the stored price table could not be read: {error}"
        else:
            if stored is not None:
                self._document, self._from_store = stored, True
                self._read_again_at = now + self._reread_seconds
                return
            if not self._from_store:  # none stored yet (no refresh ran, or it is off): the usual start
                self._document = self._document or self._shipped()
                self._read_again_at = now + self._retry_seconds
                return
            reason = "the stored price table is gone"
        # A table read earlier stays in use when a later read fails: it is newer than the shipped one.
        if self._from_store and self._document is not None:
            reason += f"; keeping the stored table of {self._document.get('date')} read earlier"
        elif self._document is None:
            self._document = self._shipped()
            reason += f"; using the shipped table of {self._document.get('date')}"
        self._read_again_at = now + self._retry_seconds
        self._on_fallback(reason)
