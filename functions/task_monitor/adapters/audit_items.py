"""The audit table's items: how a record becomes an event item or the latest state, and back.

Pure mapping, no client. Each kind of Braket resource has an ``ItemKind``: its partition key
(``TASK#<arn>``, ``JOB#<arn>``, ``DEVICE#<arn>``, so a task's and a job's items never collide), the
ARN field that names the resource, its status ranking, the index keys its latest state carries, and
what a late event may add to a latest state that lacks it. Sort keys are shared:
``EVENT#<time>#<rank>#<id>`` for history, ``LATEST`` for the latest state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from task_monitor import audit_schema as schema
from task_monitor.adapters.dynamodb_codec import from_item
from task_monitor.domain.status import DEVICE_LIFECYCLE, JOB_LIFECYCLE, TASK_LIFECYCLE, Lifecycle, is_terminal
from task_monitor.domain.timefmt import seconds_between

# An event item's notification state (see notification_claims.py).
NOTIFICATION_PENDING = "PENDING"  # to be published; nobody holds the claim
NOTIFICATION_PUBLISHING = "PUBLISHING"  # an invocation holds the claim and is publishing
NOTIFICATION_SENT = "SENT"
NOTIFICATION_NOT_WANTED = "NOT_WANTED"

# Attributes that exist for DynamoDB's sake, not the reader's.
STORAGE_ATTRIBUTES = frozenset(schema.key_attribute_names()) | {
    "itemType",
    "statusRank",
    "notification",
    "claimId",
    "claimedAt",
}
# Facts about one event that the latest state must not keep from an earlier event.
PER_EVENT_ENRICHMENT = ("statusAtEnrichment", "enrichedAt", "enrichmentError", "ignoredFields")

Record = Mapping[str, Any]


@dataclass(frozen=True)
class ItemKind:
    """How one kind of resource's records are keyed and kept (see the module docstring)."""

    name: str
    key_prefix: str
    arn_field: str
    lifecycle: Lifecycle
    index_keys: Callable[[Record], dict[str, str]]
    # Facts about the resource rather than one of its states: a late event may give them to the
    # latest state when it lacks them, never moving it.
    facts: tuple[str, ...] = ()
    fill_extra: Callable[[Record, dict[str, Any], dict[str, Any]], None] | None = None

    def key(self, arn: str) -> str:
        return f"{self.key_prefix}{arn}"

    def arn(self, record: Record) -> str:
        return str(record[self.arn_field])

    def rank(self, record: Record) -> int:
        return self.lifecycle.rank(record.get("status", ""))

    def event_sort_key(self, record: Record) -> str:
        """Event time first, then rank (events in the same second), then id: history order."""
        return f"{schema.EVENT_PREFIX}{record['eventTime']}#{self.rank(record):02d}#{record['eventId']}"

    def event_item(self, record: Record, *, claim: str | None, claimed_at: int) -> dict[str, Any]:
        item = {
            **record,
            schema.PARTITION_KEY: self.key(self.arn(record)),
            schema.SORT_KEY: self.event_sort_key(record),
            "itemType": "EVENT",
            "notification": NOTIFICATION_PUBLISHING if claim else NOTIFICATION_NOT_WANTED,
        }
        if claim:
            item.update(claimId=claim, claimedAt=claimed_at)
        return item

    def latest_item(self, record: Record) -> dict[str, Any]:
        return {**record, "itemType": "LATEST", "statusRank": self.rank(record), **self.index_keys(record)}

    def event_key(self, record: Record) -> dict[str, Any]:
        """The event item's key, as DynamoDB takes it."""
        return {
            schema.PARTITION_KEY: {"S": self.key(self.arn(record))},
            schema.SORT_KEY: {"S": self.event_sort_key(record)},
        }

    def latest_key(self, arn: str) -> dict[str, Any]:
        """The latest-state item's key, as DynamoDB takes it."""
        return {schema.PARTITION_KEY: {"S": self.key(arn)}, schema.SORT_KEY: {"S": schema.LATEST_SORT_KEY}}

    def gap_fill(self, record: Record, latest: dict[str, Any]) -> dict[str, Any]:
        """What a late event knows that the latest state (as read) lacks; never its status, time or keys."""
        if not latest or latest.get("itemType") != "LATEST" or "status" not in latest:
            return {}
        fill = {name: record[name] for name in self.facts if name in record and name not in latest}
        if self.fill_extra is not None:
            self.fill_extra(record, latest, fill)
        return fill


def _task_index_keys(record: Record) -> dict[str, str]:
    arn = record["quantumTaskArn"]
    created = record.get("createdAt") or record["eventTime"]
    keys = {
        schema.DEVICE_INDEX.partition_key: f"DEVICE#{record['deviceArn']}",
        schema.DEVICE_INDEX.sort_key: f"{created}#{arn}",
        schema.STATUS_INDEX.partition_key: f"STATUS#{record['status']}",
        schema.STATUS_INDEX.sort_key: f"{record['eventTime']}#{arn}",
    }
    if record.get("jobArn"):
        keys[schema.JOB_INDEX.partition_key] = f"JOB#{record['jobArn']}"
        keys[schema.JOB_INDEX.sort_key] = f"{created}#{arn}"
    return keys


def _job_index_keys(record: Record) -> dict[str, str]:
    """Jobs are listed by status under their own partition (tasks keep ``STATUS#``)."""
    return {
        schema.STATUS_INDEX.partition_key: f"{schema.JOB_STATUS_PREFIX}{record['status']}",
        schema.STATUS_INDEX.sort_key: f"{record['eventTime']}#{record['jobArn']}",
    }


def _device_index_keys(record: Record) -> dict[str, str]:
    """Devices are listed by availability: which are OFFLINE now, since when."""
    return {
        schema.STATUS_INDEX.partition_key: f"{schema.DEVICE_STATUS_PREFIX}{record['status']}",
        schema.STATUS_INDEX.sort_key: f"{record['eventTime']}#{record['deviceArn']}",
    }


def _fill_task_extra(record: Record, latest: dict[str, Any], fill: dict[str, Any]) -> None:
    if "jobArn" in fill:  # newly learned job: the task joins the job index, sorted by its creation
        created = latest.get("createdAt") or latest["eventTime"]
        fill[schema.JOB_INDEX.partition_key] = f"JOB#{fill['jobArn']}"
        fill[schema.JOB_INDEX.sort_key] = f"{created}#{record['quantumTaskArn']}"
    timings = timings_with_running(record, latest)
    if timings is not None:
        fill["timings"] = timings


# Facts about the task rather than one of its states: a late event may give them to the latest state.
# (queueInfo, failureReason and numSuccessfulShots describe a moment or an end; they are not filled.)
TASK_FACTS: tuple[str, ...] = ("tags", "jobArn", "actionMetadata", "associations", "experimentalCapabilities")
JOB_FACTS: tuple[str, ...] = ("jobName", "tags", "associations", "instanceConfig", "deviceConfig", "roleArn")

TASK_ITEMS = ItemKind(
    name="task",
    key_prefix=schema.TASK_PREFIX,
    arn_field="quantumTaskArn",
    lifecycle=TASK_LIFECYCLE,
    index_keys=_task_index_keys,
    facts=TASK_FACTS,
    fill_extra=_fill_task_extra,
)
JOB_ITEMS = ItemKind(
    name="job",
    key_prefix=schema.JOB_PREFIX,
    arn_field="jobArn",
    lifecycle=JOB_LIFECYCLE,
    index_keys=_job_index_keys,
    facts=JOB_FACTS,
)
DEVICE_ITEMS = ItemKind(
    name="device",
    key_prefix=schema.DEVICE_PREFIX,
    arn_field="deviceArn",
    lifecycle=DEVICE_LIFECYCLE,
    index_keys=_device_index_keys,
)
ITEM_KINDS: tuple[ItemKind, ...] = (TASK_ITEMS, JOB_ITEMS, DEVICE_ITEMS)


def item_kind_for_arn(arn: str) -> ItemKind:
    """The kind an ARN names: ``...:job/...`` a hybrid job, ``...:device/...`` a device, else a task."""
    resource = arn.split(":", 5)[-1]
    if resource.startswith("job/"):
        return JOB_ITEMS
    if resource.startswith("device/"):
        return DEVICE_ITEMS
    return TASK_ITEMS


def record_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as the reader sees it: plain values, no storage attributes."""
    return {key: value for key, value in from_item(item).items() if key not in STORAGE_ATTRIBUTES}


def timings_with_running(record: Record, latest: dict[str, Any]) -> dict[str, Any] | None:
    """A late RUNNING event dates the start: createdAt -> it is queued, it -> endedAt is running."""
    if record["status"] != "RUNNING" or not is_terminal(latest.get("status", "")):
        return None
    known = dict(latest.get("timings") or {})
    split = {
        "queuedSeconds": seconds_between(latest.get("createdAt") or record.get("createdAt"), record["eventTime"]),
        "runningSeconds": seconds_between(record["eventTime"], latest.get("endedAt")),
    }
    added = {name: value for name, value in split.items() if value is not None and name not in known}
    return {**known, **added} if added else None


# Kinds whose latest state names who created it and, once cancelled, who cancelled it (joined from
# CloudTrail calls, ``unknown`` until one is received: see domain/callers.py). Devices have no caller.
KINDS_WITH_CALLERS = frozenset({"task", "job"})
