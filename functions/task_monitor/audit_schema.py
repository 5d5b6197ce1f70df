"""The audit table's keys and indexes, defined once.

The CDK stack, the embedded demo and the tests all build the table from this module, so the
table that is deployed is the table the handler writes. Pure data: no AWS imports.

Item layout (one partition per resource: ``pk = TASK#<quantumTaskArn>``, ``JOB#<jobArn>`` or
``DEVICE#<deviceArn>``):

* event items, ``sk = EVENT#<eventTime>#<statusRank>#<eventId>``: one per distinct EventBridge
  event, so a task's history is a query on its partition, in event-time order;
* the latest-state item, ``sk = LATEST``: the task's highest-ranked state, carrying the keys of
  the three sparse indexes below (only latest items have them, so each index lists tasks, not
  events).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

PARTITION_KEY = "pk"
SORT_KEY = "sk"

# Each kind's partition prefix (TASK#, JOB#, DEVICE#) and byStatus prefix (STATUS#, JOB_STATUS#,
# DEVICE_STATUS#) are declared with the kind, in task_monitor.domain.registry.
EVENT_PREFIX = "EVENT#"
LATEST_SORT_KEY = "LATEST"
# Epoch seconds after which DynamoDB's time to live deletes the item (see domain/retention.py); the
# table's TTL setting names this attribute.
EXPIRY_ATTRIBUTE = "expiresAt"


@dataclass(frozen=True)
class IndexDefinition:
    """A global secondary index: both keys are strings; ``projection`` says what else it copies."""

    name: str
    partition_key: str
    sort_key: str
    purpose: str
    # Attributes copied into the index beside the keys: None for all of them (ALL), an empty tuple
    # for none (KEYS_ONLY), else those (INCLUDE).
    projection: tuple[str, ...] | None = None


# What each index copies beside its keys (the table's pk and sk, the index's own two keys): what the
# listings read, and no more (docs/table-design.md). An index entry is written again only when one of
# these changes, and it stays under 1 KB (one write unit). byDevice copies only what never changes
# after creation (the creator once, when CloudTrail names them), so a task's moves never rewrite it;
# a task's status is byStatus's (filtered on deviceArn for "waiting on this device").
_TASK_FACTS = ("quantumTaskArn", "deviceArn", "createdAt", "shots")
DEVICE_INDEX = IndexDefinition(
    name="byDevice-v2",
    partition_key="deviceKey",  # DEVICE#<deviceArn>
    sort_key="deviceSortKey",  # <createdAt>#<quantumTaskArn>
    purpose="tasks on a device, by creation time",
    projection=(*_TASK_FACTS, "jobArn", "createdBy"),
)
JOB_INDEX = IndexDefinition(
    name="byJob-v2",
    partition_key="jobKey",  # JOB#<jobArn>, only for tasks of a hybrid job
    sort_key="jobSortKey",  # <createdAt>#<quantumTaskArn>
    purpose="tasks of a hybrid job, by creation time",
    # The job's roll-up at its end (summarize_tasks, the job's estimatedCost) reads these.
    projection=(*_TASK_FACTS, "status", "eventTime", "numSuccessfulShots", "timings", "estimatedCost", "createdBy"),
)
STATUS_INDEX = IndexDefinition(
    name="byStatus-v2",
    partition_key="statusKey",  # STATUS#<latest status> (tasks), JOB_STATUS#..., DEVICE_STATUS#...
    sort_key="statusSortKey",  # <eventTime of the latest state>#<quantumTaskArn>
    purpose="tasks by latest status, by the time they reached it",
    # Its key moves with every status (a delete and a put whatever it holds); jobs, devices and
    # spending limits are listed here too, by their own ARN field. ``timings`` (queue wait, running
    # time) for the CLI's listings and report (task_monitor_cli.listings, docs/listings.md).
    projection=(
        *_TASK_FACTS,
        "status",
        "eventTime",
        "numSuccessfulShots",
        "timings",
        "estimatedCost",
        "createdBy",
        "jobArn",
        "jobName",
        "spendingLimitArn",
    ),
)

INDEXES: tuple[IndexDefinition, ...] = (DEVICE_INDEX, JOB_INDEX, STATUS_INDEX)

# The indexes as deployed before issue 15: the same keys, every attribute projected (each move
# rewrote all three in full). DynamoDB cannot change an index's projection, so the new ones have new
# names; a stack migrates through MIGRATION_STEPS (one index created or deleted per deploy).
LEGACY_INDEXES: tuple[IndexDefinition, ...] = tuple(
    IndexDefinition(
        name=index.name.removesuffix("-v2"),
        partition_key=index.partition_key,
        sort_key=index.sort_key,
        purpose=index.purpose,
        projection=None,
    )
    for index in INDEXES
)
_LEGACY_DEVICE, _LEGACY_JOB, _LEGACY_STATUS = LEGACY_INDEXES

# The table's indexes at each deploy of the migration (CloudFormation creates or deletes one global
# secondary index per stack update). DynamoDB fills a new index from the items already in the table
# (the key attributes are the same), so no backfill is needed; readers use a new index once it is in
# the table (``in_service``). The last step is INDEXES.
MIGRATION_STEPS: tuple[tuple[IndexDefinition, ...], ...] = (
    LEGACY_INDEXES,
    (*LEGACY_INDEXES, STATUS_INDEX),
    (*LEGACY_INDEXES, STATUS_INDEX, JOB_INDEX),
    (*LEGACY_INDEXES, *INDEXES),
    (_LEGACY_DEVICE, _LEGACY_JOB, *INDEXES),
    (_LEGACY_DEVICE, *INDEXES),
    INDEXES,
)
FINAL_MIGRATION_STEP = len(MIGRATION_STEPS) - 1


def in_service(index: IndexDefinition, deployed: Collection[str] | None) -> IndexDefinition:
    """The index to query for ``index``: itself once deployed (``deployed``: the table's index names;
    None means the final schema), else its legacy counterpart, which has the same keys."""
    if deployed is None or index.name in deployed:
        return index
    (legacy,) = (old for old in LEGACY_INDEXES if old.partition_key == index.partition_key)
    if legacy.name not in deployed:
        raise ValueError(f"the table has neither {index.name} nor {legacy.name}: deployed {sorted(deployed)}")
    return legacy


def projection_request(index: IndexDefinition) -> dict:
    """The index's ``Projection`` as DynamoDB's CreateTable and UpdateTable take it."""
    if index.projection is None:
        return {"ProjectionType": "ALL"}
    if not index.projection:
        return {"ProjectionType": "KEYS_ONLY"}
    return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(index.projection)}


def global_index_request(index: IndexDefinition) -> dict:
    """One ``GlobalSecondaryIndexes`` entry (CreateTable) or ``Create`` (UpdateTable) for ``index``."""
    return {
        "IndexName": index.name,
        "KeySchema": [
            {"AttributeName": index.partition_key, "KeyType": "HASH"},
            {"AttributeName": index.sort_key, "KeyType": "RANGE"},
        ],
        "Projection": projection_request(index),
    }


def key_attribute_names() -> list[str]:
    """Every attribute that is a table or index key (all of type string)."""
    names = [PARTITION_KEY, SORT_KEY]
    for index in INDEXES:
        names += [index.partition_key, index.sort_key]
    return names


def create_table_request(table_name: str, indexes: tuple[IndexDefinition, ...] = INDEXES) -> dict:
    """Arguments for DynamoDB ``CreateTable`` that build the audit table (on-demand), with ``indexes``
    (a migration step's, in tests of the migration)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in key_attribute_names()],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [global_index_request(index) for index in indexes],
    }


def time_to_live_request(table_name: str) -> dict:
    """Arguments for DynamoDB ``UpdateTimeToLive``: items expire by ``EXPIRY_ATTRIBUTE`` (as deployed)."""
    return {
        "TableName": table_name,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": EXPIRY_ATTRIBUTE},
    }
