"""Count the tasks waiting on a device from the audit table's byStatus index, without reading them.

Tasks waiting have their latest state under ``STATUS#CREATED`` or ``STATUS#QUEUED``; the query
filters those two partitions on ``deviceArn`` and asks only for the count (``Select=COUNT``), page
by page. byDevice is not used: it holds every task ever run on the device, waiting or not.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from task_monitor import audit_schema as schema
from task_monitor.adapters.refusals import DYNAMODB, permanent_refusals
from task_monitor.domain import registry
from task_monitor.domain.kinds.device.record import WAITING_TASK_STATUSES


class DynamoWaitingTasks:
    def __init__(self, client: Any, table_name: str, *, deployed_indexes: Collection[str] | None = None) -> None:
        self._client = client
        self._table = table_name
        self._index = schema.in_service(schema.STATUS_INDEX, deployed_indexes)  # during a migration: maybe the old one

    @permanent_refusals(DYNAMODB)
    def count(self, device_arn: str) -> int:
        return sum(
            self._count_in(registry.TASK.status_partition(status), device_arn) for status in WAITING_TASK_STATUSES
        )

    def _count_in(self, partition: str, device_arn: str) -> int:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self._index.name,
            "KeyConditionExpression": "#pk = :pk",
            "FilterExpression": "#device = :device",
            "ExpressionAttributeNames": {"#pk": schema.STATUS_INDEX.partition_key, "#device": "deviceArn"},
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":device": {"S": device_arn}},
            "Select": "COUNT",
        }
        total = 0
        while True:
            page = self._client.query(**request)
            total += page.get("Count", 0)
            if "LastEvaluatedKey" not in page:
                return total
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
