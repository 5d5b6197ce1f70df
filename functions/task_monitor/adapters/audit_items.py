"""The audit table's items: how a record becomes an event item or the latest state, and back.

Pure mapping, no client: the keys (``TASK#<arn>``; ``EVENT#<time>#<rank>#<id>`` or ``LATEST``), the
index keys the latest state carries, the attributes kept for DynamoDB's sake, and what a late event
may add to a latest state that lacks it.
"""

from __future__ import annotations

from typing import Any

from task_monitor import audit_schema as schema
from task_monitor.adapters.dynamodb_codec import from_item
from task_monitor.domain.record import TaskRecord
from task_monitor.domain.status import is_terminal, rank
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
PER_EVENT_ENRICHMENT = ("statusAtEnrichment", "enrichedAt", "enrichmentError")


def task_key(task_arn: str) -> str:
    return f"{schema.TASK_PREFIX}{task_arn}"


def event_sort_key(record: TaskRecord) -> str:
    """Event time first, then rank (events in the same second), then id: history order."""
    return f"{schema.EVENT_PREFIX}{record['eventTime']}#{rank(record['status']):02d}#{record['eventId']}"


def event_item(record: TaskRecord, *, claim: str | None, claimed_at: int) -> dict[str, Any]:
    item = {
        **record,
        schema.PARTITION_KEY: task_key(record["quantumTaskArn"]),
        schema.SORT_KEY: event_sort_key(record),
        "itemType": "EVENT",
        "notification": NOTIFICATION_PUBLISHING if claim else NOTIFICATION_NOT_WANTED,
    }
    if claim:
        item.update(claimId=claim, claimedAt=claimed_at)
    return item


def latest_item(record: TaskRecord) -> dict[str, Any]:
    arn = record["quantumTaskArn"]
    created = record.get("createdAt") or record["eventTime"]
    item = {
        **record,
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


def event_key(record: TaskRecord) -> dict[str, Any]:
    """The event item's key, as DynamoDB takes it."""
    return {
        schema.PARTITION_KEY: {"S": task_key(record["quantumTaskArn"])},
        schema.SORT_KEY: {"S": event_sort_key(record)},
    }


def latest_key(task_arn: str) -> dict[str, Any]:
    """The latest-state item's key, as DynamoDB takes it."""
    return {schema.PARTITION_KEY: {"S": task_key(task_arn)}, schema.SORT_KEY: {"S": schema.LATEST_SORT_KEY}}


def record_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as the reader sees it: plain values, no storage attributes."""
    return {key: value for key, value in from_item(item).items() if key not in STORAGE_ATTRIBUTES}


# Facts about the task rather than one of its states: a late event may give them to the latest state.
# (queueInfo, failureReason and numSuccessfulShots describe a moment or an end; they are not filled.)
TASK_FACTS: tuple[str, ...] = ("tags", "jobArn", "actionMetadata", "associations", "experimentalCapabilities")


def gap_fill(record: TaskRecord, latest: dict[str, Any]) -> dict[str, Any]:
    """What a late event knows that the latest state (as read) lacks; never its status, time or keys."""
    if not latest or latest.get("itemType") != "LATEST":
        return {}
    known: dict[str, Any] = dict(record)
    fill = {name: known[name] for name in TASK_FACTS if name in known and name not in latest}
    if "jobArn" in fill:  # newly learned job: the task joins the job index, sorted by its creation
        created = latest.get("createdAt") or latest["eventTime"]
        fill[schema.JOB_INDEX.partition_key] = f"JOB#{fill['jobArn']}"
        fill[schema.JOB_INDEX.sort_key] = f"{created}#{record['quantumTaskArn']}"
    timings = timings_with_running(record, latest)
    if timings is not None:
        fill["timings"] = timings
    return fill


def timings_with_running(record: TaskRecord, latest: dict[str, Any]) -> dict[str, Any] | None:
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
