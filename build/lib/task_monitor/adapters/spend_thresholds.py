"""The threshold marks of a spending limit: per period, the highest threshold announced, and by whom.

One item per limit and period, beside the limit's timeline: ``pk = SPENDING_LIMIT#<arn>``,
``sk = THRESHOLDS#<periodKey>``, holding ``highestThreshold`` and, for each threshold announced,
``announcedBy<percent>`` = the id of the event that announces it. One conditional UpdateItem raises
the highest threshold only if it is lower (so a late or duplicate event never announces a lower or the
same crossing again) and names the event the announcer of every threshold up to it that has none yet.
The event that owns a threshold publishes it under its own notification claim (``notification_claims``):
a failed publish is retried by its redelivery, which finds itself named here again, even when the
answer to this very update was lost (botocore's retry then fails the condition, and the item returned
with the failure names this event).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from task_monitor import audit_schema as schema
from task_monitor.adapters.dynamodb_codec import from_item, to_attribute
from task_monitor.adapters.refusals import DYNAMODB, permanent_refusals
from task_monitor.domain import registry

MARK_PREFIX = "THRESHOLDS#"
HIGHEST = "highestThreshold"
ANNOUNCED_BY = "announcedBy"


def mark_key(limit_arn: str, period_key: str) -> dict[str, dict[str, str]]:
    return {
        schema.PARTITION_KEY: {"S": f"{registry.SPENDING_LIMIT.key_prefix}{limit_arn}"},
        schema.SORT_KEY: {"S": f"{MARK_PREFIX}{period_key}"},
    }


class DynamoThresholdMarks:
    """``ThresholdMarks`` on the audit table (UpdateItem only)."""

    def __init__(self, client: Any, table_name: str, *, now: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table_name
        self._now = now

    @permanent_refusals(DYNAMODB)
    def advance(
        self, limit_arn: str, period_key: str, reached: int, thresholds: Sequence[int], event_id: str
    ) -> tuple[int, ...]:
        covered = sorted({threshold for threshold in thresholds if threshold <= reached} | {reached})
        names = {"#highest": HIGHEST, "#itemType": "itemType", "#updatedAt": "updatedAt"}
        values: dict[str, Any] = {
            ":reached": to_attribute(reached),
            ":event": to_attribute(event_id),
            ":type": to_attribute("THRESHOLDS"),
            ":now": to_attribute(int(self._now())),
        }
        assignments = ["#highest = :reached", "#itemType = :type", "#updatedAt = :now"]
        for threshold in covered:
            names[f"#by{threshold}"] = f"{ANNOUNCED_BY}{threshold}"
            assignments.append(f"#by{threshold} = if_not_exists(#by{threshold}, :event)")
        try:
            answer = self._client.update_item(
                TableName=self._table,
                Key=mark_key(limit_arn, period_key),
                UpdateExpression="SET " + ", ".join(assignments),
                ConditionExpression="attribute_not_exists(#highest) OR #highest < :reached",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            item = answer.get("Attributes") or {}
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # Already as high: only a repeat of our own update (its answer lost) leaves us anything to announce.
            item = error.response.get("Item") or {}
        return owned_thresholds(from_item(item), covered, event_id)


def owned_thresholds(mark: dict[str, Any], covered: Sequence[int], event_id: str) -> tuple[int, ...]:
    """The thresholds among ``covered`` the mark names ``event_id`` the announcer of."""
    return tuple(threshold for threshold in covered if mark.get(f"{ANNOUNCED_BY}{threshold}") == event_id)
