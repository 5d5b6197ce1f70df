"""Read the audit log: a task's, job's or device's history and latest state; tasks by device, job or
status; jobs and devices by status.

    from task_monitor.audit import AuditLog
    log = AuditLog("braket-task-audit")
    log.history(task_arn)   # every distinct event, oldest first (a job ARN or device ARN works too)
    log.latest(task_arn)    # the latest state, or None

Records are plain Python values (ints, floats, strings, lists, dicts) with the Braket API's
field names; storage keys are left out. Listings hold what each index copies
(``audit_schema``, docs/table-design.md); ``latest`` has the whole record.

The building blocks of the CLI's listings (``task_monitor_cli.listings``, docs/listings.md) are here
too: ``index_entries`` (one index partition, a time range on its sort key's time prefix, a
``Condition`` evaluated by DynamoDB, page by page), ``projection_in_service`` (what that index copies)
and ``latest_states`` (BatchGetItem of latest states, for what an index does not copy). Never a scan.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from task_monitor import audit_schema as schema
from task_monitor.adapters.audit_items import item_kind_for_arn, record_from_item
from task_monitor.domain import registry
from task_monitor.domain.kinds.device.record import WAITING_TASK_STATUSES
from task_monitor.domain.timefmt import normalize_instant

_MIN_TIME = "0000"  # sorts before every ISO-8601 time (key values cannot be empty)
_MAX_TIME = "9999"  # sorts after every ISO-8601 time
_BATCH_GET_LIMIT = 100  # keys per BatchGetItem request (DynamoDB's limit)
_UNPROCESSED_RETRIES = 8  # BatchGetItem rounds for keys DynamoDB left unprocessed (throttled), backing off


@dataclass(frozen=True)
class Condition:
    """A filter DynamoDB evaluates on each index entry read (a ``FilterExpression``, in its own syntax,
    with its ``#name`` and ``:value`` placeholders; values typed as DynamoDB takes them)."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def __and__(self, other: Condition) -> Condition:
        """Both conditions; a placeholder may appear in both only with the same meaning."""
        for mine, theirs in ((self.names, other.names), (self.values, other.values)):
            clashes = sorted(key for key in set(mine) & set(theirs) if mine[key] != theirs[key])
            if clashes:
                raise ValueError(f"the conditions give {', '.join(clashes)} different meanings")
        return Condition(
            f"({self.expression}) AND ({other.expression})",
            {**self.names, **other.names},
            {**self.values, **other.values},
        )


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

    def index_entries(
        self,
        index: schema.IndexDefinition,
        partition: str,
        *,
        start: str = _MIN_TIME,
        end: str = _MAX_TIME,
        condition: Condition | None = None,
        page_size: int | None = None,
        newest_first: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """The entries of one partition of ``index`` (the one in service while a stack migrates) whose
        sort key's time is in [start, end], that ``condition`` keeps: what the index copies, as records,
        in sort-key order, read lazily ``page_size`` entries a Query (LastEvaluatedKey onwards).

        Only the sort key's time prefix is compared (``<time>#...``: what follows may be any id)."""
        # Times stored as 2026-11-20T09:00:01.120Z; a bound given as a full instant is brought to that
        # form, a date ("2026-11-20") compares as is. "~" sorts after every character that follows the
        # time in a key ("#" and an id), so the end bound includes that instant's entries.
        start, end = normalize_instant(start) or start, normalize_instant(end) or end
        request: dict[str, Any] = {
            "IndexName": schema.in_service(index, self._deployed_indexes).name,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :start AND :end",
            "ExpressionAttributeNames": {"#pk": index.partition_key, "#sk": index.sort_key},
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":start": {"S": start}, ":end": {"S": f"{end}~"}},
            "ScanIndexForward": not newest_first,
        }
        if condition is not None:
            if {"#pk", "#sk"} & set(condition.names) or {":pk", ":start", ":end"} & set(condition.values):
                raise ValueError("a condition may not use the placeholders #pk, #sk, :pk, :start, :end")
            request["FilterExpression"] = condition.expression
            request["ExpressionAttributeNames"] |= dict(condition.names)
            if condition.values:
                request["ExpressionAttributeValues"] |= dict(condition.values)
        return self._query(page_size=page_size, **request)

    def projection_in_service(self, index: schema.IndexDefinition) -> frozenset[str] | None:
        """What the index in service (``in_service``) copies beside the keys; None when it copies every
        attribute (the legacy ALL indexes, while a stack migrates)."""
        projection = schema.in_service(index, self._deployed_indexes).projection
        return None if projection is None else frozenset(projection)

    def latest_states(
        self, arns: Sequence[str], attributes: Collection[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The latest state of each ARN that has one, by ARN (only ``attributes`` of it; all with None):
        BatchGetItem, 100 keys a request, eventually consistent (half the read units
        of ``latest``), keys DynamoDB leaves unprocessed asked again with backoff."""
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(arns))
        for first in range(0, len(unique), _BATCH_GET_LIMIT):
            by_partition = {item_kind_for_arn(arn).key(arn): arn for arn in unique[first : first + _BATCH_GET_LIMIT]}
            request: dict[str, Any] = {
                "Keys": [item_kind_for_arn(arn).latest_key(arn) for arn in by_partition.values()]
            }
            if attributes is not None:
                wanted = sorted({*attributes, schema.PARTITION_KEY})
                request["ProjectionExpression"] = ", ".join(f"#a{number}" for number in range(len(wanted)))
                request["ExpressionAttributeNames"] = {f"#a{number}": name for number, name in enumerate(wanted)}
            for item in self._batch_get(request):
                found[by_partition[item[schema.PARTITION_KEY]["S"]]] = record_from_item(item)
        return found

    def _batch_get(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        pending: dict[str, Any] = {self._table: request}
        for attempt in range(_UNPROCESSED_RETRIES + 1):
            response = self._client.batch_get_item(RequestItems=pending)
            yield from response.get("Responses", {}).get(self._table, [])
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                return
            time.sleep(min(0.05 * 2**attempt, 2.0))
        raise RuntimeError(
            f"DynamoDB left {len(pending[self._table]['Keys'])} latest states unread after "
            f"{_UNPROCESSED_RETRIES} retries (throttled): try again later"
        )

    def _between(self, index: schema.IndexDefinition, partition: str, start: str, end: str) -> list[dict[str, Any]]:
        return list(self.index_entries(index, partition, start=start, end=end))

    def _query(self, page_size: int | None = None, **request: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table, **request, PaginationConfig={"PageSize": page_size} if page_size else {}
        )
        for page in pages:
            for item in page.get("Items", []):
                yield record_from_item(item)
