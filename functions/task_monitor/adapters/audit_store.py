"""The audit table: event items, the latest-state item, and the writes that keep them right.

One ``TransactWriteItems`` per event on the normal path: put the event item (only if that event
id was never recorded) and move the latest-state item (only if the event ranks higher, or the
same at a later time). Its cancellation reasons say which condition failed: a duplicate, or a
late event that is then recorded alone.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from task_monitor import audit_schema as schema
from task_monitor.adapters.dynamodb_codec import from_item, to_attribute, to_item
from task_monitor.domain.monitor import SaveOutcome
from task_monitor.domain.status import UNKNOWN_STATUS_RANK, rank

NOTIFICATION_PENDING = "PENDING"
NOTIFICATION_SENT = "SENT"
NOTIFICATION_NOT_WANTED = "NOT_WANTED"

# Attributes that exist for DynamoDB's sake, not the reader's.
STORAGE_ATTRIBUTES = frozenset(schema.key_attribute_names()) | {"itemType", "statusRank", "notification"}

_LATEST_MAY_MOVE = "attribute_not_exists(#pk) OR #rank < :rank OR (#rank = :rank AND #eventTime < :eventTime)"


def task_key(task_arn: str) -> str:
    return f"{schema.TASK_PREFIX}{task_arn}"


def event_sort_key(record: dict[str, Any]) -> str:
    """Event time first, then rank (events in the same second), then id: history order."""
    return f"{schema.EVENT_PREFIX}{record['eventTime']}#{rank(record['status']):02d}#{record['eventId']}"


def event_item(record: dict[str, Any], *, notify: bool) -> dict[str, Any]:
    return {
        **record,
        schema.PARTITION_KEY: task_key(record["quantumTaskArn"]),
        schema.SORT_KEY: event_sort_key(record),
        "itemType": "EVENT",
        "notification": NOTIFICATION_PENDING if notify else NOTIFICATION_NOT_WANTED,
    }


def latest_item(record: dict[str, Any]) -> dict[str, Any]:
    arn = record["quantumTaskArn"]
    created = record.get("createdAt") or record["eventTime"]
    item = {
        **record,
        schema.PARTITION_KEY: task_key(arn),
        schema.SORT_KEY: schema.LATEST_SORT_KEY,
        "itemType": "LATEST",
        "statusRank": rank(record["status"]),
        schema.DEVICE_INDEX.partition_key: f"DEVICE#{record['deviceArn']}",
        schema.DEVICE_INDEX.sort_key: f"{created}#{arn}",
        schema.STATUS_INDEX.partition_key: f"STATUS#{record['status']}",
        schema.STATUS_INDEX.sort_key: f"{record['eventTime']}#{arn}",
    }
    if record.get("jobArn"):
        item[schema.JOB_INDEX.partition_key] = f"JOB#{record['jobArn']}"
        item[schema.JOB_INDEX.sort_key] = f"{created}#{arn}"
    return item


def record_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as the reader sees it: plain values, no storage attributes."""
    return {key: value for key, value in from_item(item).items() if key not in STORAGE_ATTRIBUTES}


class DynamoAuditStore:
    """Writes the audit log; the function's only DynamoDB actions are PutItem, UpdateItem, Query."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def running_since(self, task_arn: str) -> str | None:
        response = self._client.query(
            TableName=self._table,
            ConsistentRead=True,
            KeyConditionExpression="#pk = :pk AND begins_with(#sk, :events)",
            FilterExpression="#status = :running",
            ProjectionExpression="#eventTime",
            ExpressionAttributeNames={
                "#pk": schema.PARTITION_KEY,
                "#sk": schema.SORT_KEY,
                "#status": "status",
                "#eventTime": "eventTime",
            },
            ExpressionAttributeValues={
                ":pk": {"S": task_key(task_arn)},
                ":events": {"S": schema.EVENT_PREFIX},
                ":running": {"S": "RUNNING"},
            },
        )
        times = [item["eventTime"]["S"] for item in response.get("Items", [])]
        return min(times) if times else None

    def save(self, record: dict[str, Any], *, notify: bool) -> SaveOutcome:
        put_event = self._put_event_request(record, notify=notify)
        if rank(record["status"]) == UNKNOWN_STATUS_RANK:
            # A status we cannot place in the lifecycle is audited but never moves the latest state.
            return self._put_event_alone(put_event)
        try:
            self._client.transact_write_items(
                TransactItems=[{"Put": put_event}, {"Put": self._put_latest_request(record)}]
            )
            return SaveOutcome.RECORDED
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons") or []
            if _failed_condition(reasons, 0):
                return _duplicate_outcome(reasons[0].get("Item"))
            if _failed_condition(reasons, 1):
                return self._put_event_alone(put_event)
            raise

    def mark_notified(self, record: dict[str, Any]) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={
                schema.PARTITION_KEY: {"S": task_key(record["quantumTaskArn"])},
                schema.SORT_KEY: {"S": event_sort_key(record)},
            },
            UpdateExpression="SET #notification = :sent",
            ConditionExpression="attribute_exists(#pk)",
            ExpressionAttributeNames={"#notification": "notification", "#pk": schema.PARTITION_KEY},
            ExpressionAttributeValues={":sent": {"S": NOTIFICATION_SENT}},
        )

    def _put_event_request(self, record: dict[str, Any], *, notify: bool) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Item": to_item(event_item(record, notify=notify)),
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _put_latest_request(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Item": to_item(latest_item(record)),
            "ConditionExpression": _LATEST_MAY_MOVE,
            "ExpressionAttributeNames": {
                "#pk": schema.PARTITION_KEY,
                "#rank": "statusRank",
                "#eventTime": "eventTime",
            },
            "ExpressionAttributeValues": {
                ":rank": to_attribute(rank(record["status"])),
                ":eventTime": to_attribute(record["eventTime"]),
            },
        }

    def _put_event_alone(self, put_event: dict[str, Any]) -> SaveOutcome:
        """Record the event without touching the latest state (one PutItem)."""
        try:
            self._client.put_item(**put_event)
            return SaveOutcome.RECORDED_LATE
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return _duplicate_outcome(error.response.get("Item"))


def _failed_condition(reasons: list[dict[str, Any]], index: int) -> bool:
    return len(reasons) > index and reasons[index].get("Code") == "ConditionalCheckFailed"


def _duplicate_outcome(existing: dict[str, Any] | None) -> SaveOutcome:
    state = ((existing or {}).get("notification") or {}).get("S")
    return SaveOutcome.DUPLICATE_UNANNOUNCED if state == NOTIFICATION_PENDING else SaveOutcome.DUPLICATE
