"""The audit table's items: how a record becomes an event item or the latest state, and back.

Pure mapping, no client. Each kind of Braket resource that keeps a log has an ``ItemKind``, made from
its registry entry (``domain.registry``: partition prefix such as ``TASK#``, ``JOB#``, ``DEVICE#``, so a
task's and a job's items never collide; the ARN field that names the resource; its status ranking; its
byStatus prefix) plus what only storage knows: the index keys its latest state carries, and what a late
event may add to a latest state that lacks it. Sort keys are shared: ``EVENT#<time>#<rank>#<id>`` for
history, ``LATEST`` for the latest state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from task_monitor import audit_schema as schema
from task_monitor.adapters.dynamodb_codec import from_item
from task_monitor.domain import registry
from task_monitor.domain.arns import parse_task_arn
from task_monitor.domain.arrival import stored_arrival_dates_its_status
from task_monitor.domain.derived import DERIVED_FIELDS, with_derived, without_derived
from task_monitor.domain.status import Lifecycle, is_terminal
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
    schema.EXPIRY_ATTRIBUTE,
}
# Facts about one event that the latest state must not keep from an earlier event.
PER_EVENT_ENRICHMENT = ("statusAtEnrichment", "enrichedAt", "enrichmentError", "ignoredFields")
# A compact kind's (tasks') latest state keeps none of these: facts of one event (how it arrived,
# when the description was read, the queue at that moment), which its event item keeps
# (docs/table-design.md). statusAtEnrichment stays (the latest state's condition reads it), and so
# does an enrichment error (rare; it says the latest state's details may be incomplete).
LATEST_LEAVES_TO_EVENTS = ("arrival", "enrichedAt", "eventName", "queueInfo")
# What an event item's sort key holds (EVENT#<eventTime>#<rank>#<eventId>): a compact item stores
# neither, and readers take them from the key.
EVENT_KEY_FIELDS = ("eventTime", "eventId")

Record = Mapping[str, Any]


@dataclass(frozen=True)
class ItemKind:
    """How one kind of resource's records are keyed and kept (see the module docstring)."""

    kind: registry.Kind
    index_keys: Callable[[Record], dict[str, str]]
    # Facts about the resource rather than one of its states: a late event may give them to the
    # latest state when it lacks them, never moving it.
    facts: tuple[str, ...] = ()
    fill_extra: Callable[[Record, dict[str, Any], dict[str, Any]], None] | None = None
    # The latest state's order (its ``statusRank``) when it is not the status's rank in the lifecycle:
    # a spending limit's is its period and total spend.
    order: Callable[[Record], int] | None = None
    # Compact items (tasks): a state record is stored without what its keys hold (its ARN, an event's
    # time and id), what ``domain.derived`` derives, nor (its latest state) the facts of one event.
    compact: bool = False
    # What follows the time in its byStatus sort key: the ARN unless the kind has something shorter.
    sort_suffix: Callable[[str], str] | None = None

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def key_prefix(self) -> str:
        assert self.kind.key_prefix is not None, f"the {self.kind.name} kind keeps no log of its own"
        return self.kind.key_prefix

    @property
    def arn_field(self) -> str:
        assert self.kind.arn_field is not None, f"the {self.kind.name} kind names no resource"
        return self.kind.arn_field

    @property
    def lifecycle(self) -> Lifecycle:
        assert self.kind.lifecycle is not None, f"the {self.kind.name} kind has no lifecycle"
        return self.kind.lifecycle

    def key(self, arn: str) -> str:
        return f"{self.key_prefix}{arn}"

    def status_keys(self, record: Record) -> dict[str, str]:
        """Its entry in the byStatus index: under its kind's prefix, by the time it reached the status."""
        return {
            schema.STATUS_INDEX.partition_key: self.kind.status_partition(record["status"]),
            schema.STATUS_INDEX.sort_key: f"{record['eventTime']}#{self.sort_id(self.arn(record))}",
        }

    def sort_id(self, arn: str) -> str:
        """What an index sort key names the resource by, after the time (which listings range on)."""
        return self.sort_suffix(arn) if self.sort_suffix else arn

    def is_compact(self, record: Record) -> bool:
        """A state record of a compact kind (an API call joined onto a task, with no status, is not)."""
        return self.compact and "status" in record

    def arn(self, record: Record) -> str:
        return str(record[self.arn_field])

    def rank(self, record: Record) -> int:
        return self.lifecycle.rank(record.get("status", ""))

    def event_sort_key(self, record: Record) -> str:
        """Event time first, then rank (events in the same second), then id: history order."""
        return f"{schema.EVENT_PREFIX}{record['eventTime']}#{self.rank(record):02d}#{record['eventId']}"

    def event_item(self, record: Record, *, claim: str | None, claimed_at: int) -> dict[str, Any]:
        if self.is_compact(record):
            stored = without_derived(record)
            for name in (self.arn_field, *EVENT_KEY_FIELDS):
                stored.pop(name, None)
            typed: dict[str, Any] = {}
        else:
            stored, typed = dict(record), {"itemType": "EVENT"}
        item = {
            **stored,
            schema.PARTITION_KEY: self.key(self.arn(record)),
            schema.SORT_KEY: self.event_sort_key(record),
            **typed,
            "notification": NOTIFICATION_PUBLISHING if claim else NOTIFICATION_NOT_WANTED,
        }
        if claim:
            item.update(claimId=claim, claimedAt=claimed_at)
        return item

    def latest_item(self, record: Record) -> dict[str, Any]:
        if self.is_compact(record):
            stored = without_derived(record)
            for name in (self.arn_field, *LATEST_LEAVES_TO_EVENTS):
                stored.pop(name, None)
            if "statusAtEnrichment" in record:  # the latest state's condition reads it
                stored["statusAtEnrichment"] = record["statusAtEnrichment"]
            typed: dict[str, Any] = {}
        else:
            stored, typed = dict(record), {"itemType": "LATEST"}
        return {
            **stored,
            **typed,
            "statusRank": self.order(record) if self.order else self.rank(record),
            **self.status_keys(record),
            **self.index_keys(record),
        }

    def left_out_of_latest(self, item: Record) -> tuple[str, ...]:
        """What a compact latest state does not keep and ``item`` (one about to be written) lacks: removed
        on its next move, so a latest state written before sheds them."""
        if not self.compact or "status" not in item:
            return ()
        omitted = (self.arn_field, "itemType", *DERIVED_FIELDS, *LATEST_LEAVES_TO_EVENTS)
        return tuple(name for name in dict.fromkeys(omitted) if name not in item and name not in PER_EVENT_ENRICHMENT)

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
        if not latest or not is_latest_item(latest) or "status" not in latest:
            return {}
        fill = {name: record[name] for name in self.facts if name in record and name not in latest}
        if self.fill_extra is not None:
            self.fill_extra(record, latest, fill)
        return fill


def _task_index_keys(record: Record) -> dict[str, str]:
    """Tasks are also listed by device and, for a hybrid job's tasks, by job; both by creation time."""
    arn = task_sort_id(record["quantumTaskArn"])
    created = record.get("createdAt") or record["eventTime"]
    keys = {
        schema.DEVICE_INDEX.partition_key: registry.DEVICE.key_prefix + record["deviceArn"],
        schema.DEVICE_INDEX.sort_key: f"{created}#{arn}",
    }
    if record.get("jobArn"):
        keys[schema.JOB_INDEX.partition_key] = registry.JOB.key_prefix + record["jobArn"]
        keys[schema.JOB_INDEX.sort_key] = f"{created}#{arn}"
    return keys


def task_sort_id(arn: str) -> str:
    """A task in an index sort key, after the time: its id's first 8 characters, as people shorten it
    (index keys need not be unique: the table's key, in every entry, names the task)."""
    task = parse_task_arn(arn)
    return task.task_id[:8] if task else arn


def _status_only(record: Record) -> dict[str, str]:
    """Jobs and devices are listed by status alone (under their own prefixes, so a task listing never
    returns a job)."""
    return {}


def _fill_task_extra(record: Record, latest: dict[str, Any], fill: dict[str, Any]) -> None:
    if "jobArn" in fill:  # newly learned job: the task joins the job index, sorted by its creation
        created = latest.get("createdAt") or latest["eventTime"]
        fill[schema.JOB_INDEX.partition_key] = registry.JOB.key_prefix + fill["jobArn"]
        fill[schema.JOB_INDEX.sort_key] = f"{created}#{task_sort_id(record['quantumTaskArn'])}"
    timings = timings_with_running(record, latest)
    if timings is not None:
        fill["timings"] = timings


# Facts about the task rather than one of its states: a late event may give them to the latest state.
# (queueInfo, failureReason and numSuccessfulShots describe a moment or an end; they are not filled.)
TASK_FACTS: tuple[str, ...] = ("tags", "jobArn", "actionMetadata", "associations", "experimentalCapabilities")
JOB_FACTS: tuple[str, ...] = ("jobName", "tags", "associations", "instanceConfig", "deviceConfig", "roleArn")

TASK_ITEMS = ItemKind(
    registry.TASK,
    index_keys=_task_index_keys,
    facts=TASK_FACTS,
    fill_extra=_fill_task_extra,
    compact=True,
    sort_suffix=task_sort_id,
)
JOB_ITEMS = ItemKind(registry.JOB, index_keys=_status_only, facts=JOB_FACTS)
DEVICE_ITEMS = ItemKind(registry.DEVICE, index_keys=_status_only)


def _spend_order(record: Record) -> int:
    from task_monitor.domain.kinds.spending_limit.record import spend_rank  # a rare kind: on first use

    return spend_rank(record)


# A limit's latest state moves to a later period, or to a higher total spend within one (never back).
SPENDING_LIMIT_ITEMS = ItemKind(registry.SPENDING_LIMIT, index_keys=_status_only, order=_spend_order)
# Every kind that keeps a log, by name; a test checks it covers the registry's stored kinds.
ITEM_KINDS: Mapping[str, ItemKind] = {
    items.name: items for items in (TASK_ITEMS, JOB_ITEMS, DEVICE_ITEMS, SPENDING_LIMIT_ITEMS)
}


# Tasks a spending limit refused (``domain/kinds/api_call/refused.py``): write-once items under
# REFUSED_TASK#<deviceArn>, with no status (so no latest state) and a notification claim each. Not a kind
# of event of its own (the call is an API call), so not in ITEM_KINDS.
REFUSED_TASK_ITEMS = ItemKind(
    dataclasses.replace(
        registry.API_CALL,
        name="refused_task",
        key_prefix="REFUSED_TASK#",
        arn_field="deviceArn",
        lifecycle=Lifecycle("refused_task", {}, frozenset()),
    ),
    index_keys=_status_only,
)


def item_kind_for_arn(arn: str) -> ItemKind:
    """The log an ARN's resource keeps (a task's for anything that names no other kind)."""
    kind = registry.kind_of_arn(arn)
    return ITEM_KINDS.get(kind.name, TASK_ITEMS) if kind else TASK_ITEMS


def record_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as the reader sees it: plain values, no storage attributes, what a compact item
    leaves to its keys and to ``domain.derived`` put back (items written before have them stored)."""
    return {key: value for key, value in stored_record(from_item(item)).items() if key not in STORAGE_ATTRIBUTES}


def stored_record(item: dict[str, Any]) -> dict[str, Any]:
    """An item (plain values) with what its keys hold and what a task record derives put back;
    storage attributes kept (the store's own reads look at them)."""
    partition, sort = str(item.get(schema.PARTITION_KEY, "")), str(item.get(schema.SORT_KEY, ""))
    kind = next((kind for kind in ITEM_KINDS.values() if partition.startswith(kind.key_prefix)), None)
    if kind is None or not kind.compact:
        return item
    if sort == schema.LATEST_SORT_KEY and not {"status", "deviceArn"} & item.keys():
        return item  # a latest state made by a call alone: only its callers
    restored = dict(item)
    restored.setdefault(kind.arn_field, partition.removeprefix(kind.key_prefix))
    if sort.startswith(schema.EVENT_PREFIX):  # EVENT#<eventTime>#<rank>#<eventId>
        event_time, _rank, event_id = sort.removeprefix(schema.EVENT_PREFIX).split("#", 2)
        restored.setdefault("eventTime", event_time)
        restored.setdefault("eventId", event_id)
    return with_derived(restored) if "status" in restored else restored  # byDevice entries hold no status


def is_latest_item(item: Record) -> bool:
    """A latest-state item (compact ones carry no itemType: their sort key says it)."""
    return item.get("itemType") == "LATEST" or item.get(schema.SORT_KEY) == schema.LATEST_SORT_KEY


def timings_with_running(record: Record, latest: dict[str, Any]) -> dict[str, Any] | None:
    """A late RUNNING event dates the start: createdAt -> it is queued, it -> endedAt is running."""
    if record["status"] != "RUNNING" or not is_terminal(latest.get("status", "")):
        return None
    if not stored_arrival_dates_its_status(record):  # a backfill's RUNNING: not when it started
        return None
    known = dict(latest.get("timings") or {})
    split = {
        "queuedSeconds": seconds_between(latest.get("createdAt") or record.get("createdAt"), record["eventTime"]),
        "runningSeconds": seconds_between(record["eventTime"], latest.get("endedAt")),
    }
    added = {name: value for name, value in split.items() if value is not None and name not in known}
    return {**known, **added} if added else None
