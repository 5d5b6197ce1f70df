"""Read the audit log: a task's, job's or device's history and latest state; tasks by device, job or
status; jobs and devices by status.

    from task_monitor.audit import AuditLog
    log = AuditLog("braket-task-audit")
    log.history(task_arn)   # every distinct event, oldest first (a job ARN or device ARN works too)
    log.latest(task_arn)    # the latest state, or None

Records are plain Python values (ints, floats, strings, lists, dicts) with the Braket API's
field names; storage keys are left out. Listings hold what each index copies
(``audit_schema``, docs/table-design.md); ``latest`` has the whole record.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from task_monitor import audit_schema as schema
from task_monitor.adapters.audit_items import item_kind_for_arn, record_from_item
from task_monitor.domain import registry
from task_monitor.domain.kinds.device.record import WAITING_TASK_STATUSES
from task_monitor.domain.timefmt import normalize_instant

_MIN_TIME = "0000"  # sorts before every ISO-8601 time (key values cannot be empty)
_MAX_TIME = "9999"  # sorts after every ISO-8601 time


class AuditLog:
    def __init__(
        self,
        table_name: str,
        *,
        client: Any | None = None,
        region: str | None = None,
        deployed_indexes: Collection[str] | None = None,
    ) -> None:
        if client is None:
            import botocore.session

            client = botocore.session.get_session().create_client("dynamodb", region_name=region)
        self._client = client
        self._table = table_name
        # The table's index names while a stack migrates to new indexes (audit_schema.MIGRATION_STEPS);
        # None: the final schema.
        self._deployed_indexes = deployed_indexes

    def history(self, arn: str) -> list[dict[str, Any]]:
        """Every distinct event of the task, job or device the ARN names, in event-time order (oldest first)."""
        return list(
            self._query(
                KeyConditionExpression="#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames={"#pk": schema.PARTITION_KEY, "#sk": schema.SORT_KEY},
                ExpressionAttributeValues={
                    ":pk": {"S": item_kind_for_arn(arn).key(arn)},
                    ":prefix": {"S": schema.EVENT_PREFIX},
                },
                ConsistentRead=True,
            )
        )

    def latest(self, arn: str) -> dict[str, Any] | None:
        """The latest state of the task, job or device: the highest-ranked event seen, never moved back
        by a late one (a device's is simply its latest event)."""
        response = self._client.get_item(
            TableName=self._table, Key=item_kind_for_arn(arn).latest_key(arn), ConsistentRead=True
        )
        item = response.get("Item")
        return record_from_item(item) if item else None

    def tasks_on_device(self, device_arn: str, start: str = _MIN_TIME, end: str = _MAX_TIME) -> list[dict[str, Any]]:
        """Each task on a device created in [start, end] (ISO-8601 UTC), as byDevice holds it: ARN,
        creation, shots, job, creator; not its status (``tasks_by_status`` or ``latest`` has that)."""
        return self._between(schema.DEVICE_INDEX, f"{registry.DEVICE.key_prefix}{device_arn}", start, end)

    def tasks_of_job(self, job_arn: str) -> list[dict[str, Any]]:
        """Each task of a hybrid job, by creation time, with what the job's roll-up reads (byJob's projection)."""
        return self._between(schema.JOB_INDEX, f"{registry.JOB.key_prefix}{job_arn}", _MIN_TIME, _MAX_TIME)

    def tasks_by_status(self, status: str, start: str = _MIN_TIME, end: str = _MAX_TIME) -> list[dict[str, Any]]:
        """Tasks whose latest status is ``status``, reached in [start, end] (ISO-8601 UTC)."""
        return self._between(schema.STATUS_INDEX, registry.TASK.status_partition(status), start, end)

    def jobs_by_status(self, status: str, start: str = _MIN_TIME, end: str = _MAX_TIME) -> list[dict[str, Any]]:
        """Hybrid jobs whose latest status is ``status``, reached in [start, end] (ISO-8601 UTC)."""
        return self._between(schema.STATUS_INDEX, registry.JOB.status_partition(status), start, end)

    def devices_by_status(self, status: str, start: str = _MIN_TIME, end: str = _MAX_TIME) -> list[dict[str, Any]]:
        """Devices whose latest availability event says ``status`` (ONLINE, OFFLINE...), since [start, end]."""
        return self._between(schema.STATUS_INDEX, registry.DEVICE.status_partition(status), start, end)

    def tasks_waiting_on_device(self, device_arn: str) -> list[dict[str, Any]]:
        """Latest state of each task waiting on a device (CREATED or QUEUED: not started yet), the
        tasks a device notification counts; oldest status change first within each status."""
        return [
            task
            for status in WAITING_TASK_STATUSES
            for task in self._query(
                IndexName=schema.in_service(schema.STATUS_INDEX, self._deployed_indexes).name,
                KeyConditionExpression="#pk = :pk",
                FilterExpression="#device = :device",
                ExpressionAttributeNames={"#pk": schema.STATUS_INDEX.partition_key, "#device": "deviceArn"},
                ExpressionAttributeValues={
                    ":pk": {"S": registry.TASK.status_partition(status)},
                    ":device": {"S": device_arn},
                },
            )
        ]

    def _between(self, index: schema.IndexDefinition, partition: str, start: str, end: str) -> list[dict[str, Any]]:
        # Index sort keys are "<time>#<taskArn>", times stored as 2026-11-20T09:00:01.120Z; a bound
        # given as a full instant is brought to that form, a date ("2026-11-20") compares as is.
        start, end = normalize_instant(start) or start, normalize_instant(end) or end
        # "~" sorts after every ARN character, so the end bound includes that instant's tasks.
        return list(
            self._query(
                IndexName=schema.in_service(index, self._deployed_indexes).name,
                KeyConditionExpression="#pk = :pk AND #sk BETWEEN :start AND :end",
                ExpressionAttributeNames={"#pk": index.partition_key, "#sk": index.sort_key},
                ExpressionAttributeValues={
                    ":pk": {"S": partition},
                    ":start": {"S": start},
                    ":end": {"S": f"{end}~"},
                },
            )
        )

    def _query(self, **request: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(TableName=self._table, **request):
            for item in page.get("Items", []):
                yield record_from_item(item)
