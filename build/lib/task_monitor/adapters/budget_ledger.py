"""The budgets' items in the audit table, and the one transaction that applies a task's difference.

Items (none carries an index key, so no index lists them; none is in a task's partition):

* ``pk = BUDGET_TASK#<taskArn>``, ``sk = APPLIED``: what the task last added to each budget
  (absolute amounts as decimal strings, by budget name) and a ``version``;
* ``pk = BUDGET#<name>#<YYYY-MM>``, ``sk = TOTAL``: the month's ``amountUsd`` (a Number, so the
  difference is ADDed without reading it), ``tasks`` and ``unpricedTasks``;
* same partition, ``sk = CREATOR#<principal>``: one creator's sub-total (for the top spenders);
* same partition, ``sk = THRESHOLD#<percent>#<crossing id>``: a crossing, written once, with the
  claim on its notification (``notification_claims``, as an event's).

Only GetItem, PutItem, UpdateItem and Query (TransactWriteItems needs no more): the role is unchanged.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from task_monitor import audit_schema as schema
from task_monitor.adapters.audit_items import NOTIFICATION_SENT, Record
from task_monitor.adapters.dynamodb_codec import from_item, to_attribute, to_item
from task_monitor.adapters.notification_claims import NotificationClaims
from task_monitor.adapters.refusals import DYNAMODB, permanent_refusals
from task_monitor.domain.budgets.rules import Contribution, TotalChange
from task_monitor.domain.budgets.standing import Applied, MonthStanding
from task_monitor.domain.outcomes import SaveOutcome

TASK_PREFIX = "BUDGET_TASK#"
BUDGET_PREFIX = "BUDGET#"
APPLIED_SORT_KEY = "APPLIED"
TOTAL_SORT_KEY = "TOTAL"
CREATOR_PREFIX = "CREATOR#"
THRESHOLD_PREFIX = "THRESHOLD#"
# A sort key holds at most 1,024 bytes: a longer principal is keyed by its hash (kept in full beside it).
_LONGEST_KEYED_PRINCIPAL = 900
TRANSACTION_ATTEMPTS = 4
_RETRIED_IN_PROCESS = frozenset({"TransactionConflict", "ThrottlingError"})


def month_key(budget: str, month: str) -> str:
    return f"{BUDGET_PREFIX}{budget}#{month}"


def creator_sort_key(principal: str) -> str:
    if len(principal.encode()) <= _LONGEST_KEYED_PRINCIPAL:
        return CREATOR_PREFIX + principal
    return CREATOR_PREFIX + "sha256:" + hashlib.sha256(principal.encode()).hexdigest()


class ThresholdKeys:
    """Where a crossing's item is: under its budget's month, sorted by percent, ending with its id."""

    def event_key(self, record: Record) -> dict[str, Any]:
        return {
            schema.PARTITION_KEY: {"S": month_key(record["budget"], record["month"])},
            schema.SORT_KEY: {"S": f"{THRESHOLD_PREFIX}{int(record['thresholdPercent']):04d}#{record['eventId']}"},
        }


class DynamoCrossings:
    """The crossings as a ``NotificationStore``: save writes a crossing once, with the claim."""

    def __init__(
        self, client: Any, table: str, now: Callable[[], float], sleep: Callable[[float], None] | None
    ) -> None:
        self._client = client
        self._table = table
        self._now = now
        self._keys = ThresholdKeys()
        self._claims = NotificationClaims(client, table, kind=self._keys, now=now, sleep=sleep)

    @permanent_refusals(DYNAMODB)
    def save(self, record: Record, *, claim: str | None) -> SaveOutcome:
        key = self._keys.event_key(record)
        item = {
            **record,
            "itemType": "BUDGET_THRESHOLD",
            "notification": "PUBLISHING" if claim else "NOT_WANTED",
        }
        if claim:
            item.update(claimId=claim, claimedAt=int(self._now()))
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**key, **to_item(item)},
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": schema.PARTITION_KEY},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self._claims.resolve_duplicate(record, claim, error.response.get("Item"))
        return SaveOutcome.RECORDED

    def mark_notified(self, record: Record) -> None:
        self._claims.mark_sent(record)

    def release_claim(self, record: Record, claim: str) -> None:
        self._claims.release(record, claim)


class DynamoBudgetLedger:
    """The ``BudgetLedger`` port on the audit table (see the module docstring for the items)."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        latest: Callable[[str], dict[str, Any] | None],
        *,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = client
        self._table = table_name
        self._latest = latest
        self._now = now
        self._sleep = sleep
        self.crossings = DynamoCrossings(client, table_name, now, sleep)

    @permanent_refusals(DYNAMODB)
    def applied(self, task_arn: str) -> Applied:
        response = self._client.get_item(TableName=self._table, Key=self._applied_key(task_arn), ConsistentRead=True)
        item = from_item(response.get("Item") or {})
        if not item:
            return Applied()
        stored = item.get("contributions") or {}
        return Applied(
            version=int(item.get("version", 0)),
            contributions={name: Contribution.from_stored(value) for name, value in stored.items()},
        )

    def latest_state(self, task_arn: str) -> dict[str, Any] | None:
        return self._latest(task_arn)

    @permanent_refusals(DYNAMODB)
    def apply(
        self, task_arn: str, applied: Applied, contributions: Mapping[str, Contribution], changes: Sequence[TotalChange]
    ) -> bool:
        items = [{"Put": self._applied_put(task_arn, applied, contributions)}]
        items += [{"Update": self._add_request(change)} for change in changes]
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                self._client.transact_write_items(TransactItems=items)
                return True
            except ClientError as error:
                reasons = _cancellation_codes(error)
                if reasons[:1] == ["ConditionalCheckFailed"]:
                    return False  # another delivery applied first (or this one, its answer lost)
                if _RETRIED_IN_PROCESS & set(reasons) and attempt + 1 < TRANSACTION_ATTEMPTS:
                    (self._sleep or time.sleep)(random.uniform(0.05, 0.2) * 2**attempt)
                    continue
                raise
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    @permanent_refusals(DYNAMODB)
    def month_standing(self, budget: str, month: str) -> MonthStanding:
        """One query: the month's thresholds and its total (``THRESHOLD#`` < ``TOTAL``; creators sort before)."""
        items = self._query(
            "#pk = :pk AND #sk >= :from", {":pk": {"S": month_key(budget, month)}, ":from": {"S": THRESHOLD_PREFIX}}
        )
        standing: dict[str, Any] = {"announced": set(), "unsent": set()}
        for item in items:
            sort_key = item[schema.SORT_KEY]["S"]
            if sort_key == TOTAL_SORT_KEY:
                standing["total_usd"] = _decimal(item.get("amountUsd"))
                standing["tasks"] = int(_decimal(item.get("tasks")))
                standing["unpriced_tasks"] = int(_decimal(item.get("unpricedTasks")))
            elif sort_key.startswith(THRESHOLD_PREFIX):
                percent = int(sort_key[len(THRESHOLD_PREFIX) :].split("#", 1)[0])
                sent = item.get("notification", {}).get("S") == NOTIFICATION_SENT
                standing["announced" if sent else "unsent"].add(percent)
        return MonthStanding(
            total_usd=standing.get("total_usd", Decimal(0)),
            tasks=standing.get("tasks", 0),
            unpriced_tasks=standing.get("unpriced_tasks", 0),
            announced=frozenset(standing["announced"]),
            unsent=frozenset(standing["unsent"]),
        )

    @permanent_refusals(DYNAMODB)
    def creator_subtotals(self, budget: str, month: str) -> dict[str, Decimal]:
        items = self._query(
            "#pk = :pk AND begins_with(#sk, :creators)",
            {":pk": {"S": month_key(budget, month)}, ":creators": {"S": CREATOR_PREFIX}},
        )
        return {item["creator"]["S"]: _decimal(item.get("amountUsd")) for item in items if "creator" in item}

    # -- internals -------------------------------------------------------------------------
    def _query(self, condition: str, values: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "ConsistentRead": True,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
            "ExpressionAttributeValues": values,
        }
        while True:
            response = self._client.query(**request)
            items += response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @staticmethod
    def _applied_key(task_arn: str) -> dict[str, Any]:
        return {schema.PARTITION_KEY: {"S": TASK_PREFIX + task_arn}, schema.SORT_KEY: {"S": APPLIED_SORT_KEY}}

    def _applied_put(
        self, task_arn: str, applied: Applied, contributions: Mapping[str, Contribution]
    ) -> dict[str, Any]:
        """The task's applied item at the next version, only over the version that was read."""
        item = {
            "itemType": "BUDGET_APPLIED",
            "quantumTaskArn": task_arn,
            "contributions": {name: contribution.stored() for name, contribution in sorted(contributions.items())},
            "version": applied.version + 1,
            "appliedAt": int(self._now()),
        }
        request: dict[str, Any] = {
            "TableName": self._table,
            "Item": {**self._applied_key(task_arn), **to_item(item)},
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY},
        }
        if applied.version == 0:
            request["ConditionExpression"] = "attribute_not_exists(#pk)"
        else:
            request["ConditionExpression"] = "#version = :version"
            request["ExpressionAttributeNames"] = {"#version": "version"}
            request["ExpressionAttributeValues"] = {":version": to_attribute(applied.version)}
        return request

    def _add_request(self, change: TotalChange) -> dict[str, Any]:
        """ADD the difference: no read of the total, so concurrent tasks never overwrite each other's."""
        names = {"#amount": "amountUsd", "#tasks": "tasks", "#budget": "budget", "#month": "month"}
        values = {
            ":amount": {"N": str(change.amount_usd)},
            ":tasks": to_attribute(change.tasks),
            ":budget": to_attribute(change.budget),
            ":month": to_attribute(change.month),
        }
        adds = ["#amount :amount", "#tasks :tasks"]
        sets = ["#budget = :budget", "#month = :month"]
        if change.creator is None:
            sort_key = TOTAL_SORT_KEY
            names["#unpriced"] = "unpricedTasks"
            values[":unpriced"] = to_attribute(change.unpriced_tasks)
            adds.append("#unpriced :unpriced")
        else:
            sort_key = creator_sort_key(change.creator)
            names["#creator"] = "creator"
            values[":creator"] = to_attribute(change.creator)
            sets.append("#creator = :creator")
        return {
            "TableName": self._table,
            "Key": {
                schema.PARTITION_KEY: {"S": month_key(change.budget, change.month)},
                schema.SORT_KEY: {"S": sort_key},
            },
            "UpdateExpression": "SET " + ", ".join(sets) + " ADD " + ", ".join(adds),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }


def _decimal(attribute: dict[str, Any] | None) -> Decimal:
    """A Number attribute read exactly (the codec reads non-integers as floats)."""
    return Decimal(attribute["N"]) if attribute and "N" in attribute else Decimal(0)


def _cancellation_codes(error: ClientError) -> list[str | None]:
    code = error.response.get("Error", {}).get("Code")
    if code == "TransactionConflictException":
        return ["TransactionConflict"]
    if code != "TransactionCanceledException":
        raise error
    return [reason.get("Code") for reason in error.response.get("CancellationReasons") or []]
