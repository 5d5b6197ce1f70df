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
    """A global secondary index: both keys are strings, every attribute is projected."""

    name: str
    partition_key: str
    sort_key: str
    purpose: str
    # Attributes copied into the index beside the keys: None for all of them (ALL), an empty tuple
    # for none (KEYS_ONLY), else those (INCLUDE).
    projection: tuple[str, ...] | None = None


DEVICE_INDEX = IndexDefinition(
    name="byDevice",
    partition_key="deviceKey",  # DEVICE#<deviceArn>
    sort_key="deviceSortKey",  # <createdAt>#<quantumTaskArn>
    purpose="tasks on a device, by creation time",
)
JOB_INDEX = IndexDefinition(
    name="byJob",
    partition_key="jobKey",  # JOB#<jobArn>, only for tasks of a hybrid job
    sort_key="jobSortKey",  # <createdAt>#<quantumTaskArn>
    purpose="tasks of a hybrid job, by creation time",
)
STATUS_INDEX = IndexDefinition(
    name="byStatus",
    partition_key="statusKey",  # STATUS#<latest status> (tasks), JOB_STATUS#..., DEVICE_STATUS#...
    sort_key="statusSortKey",  # <eventTime of the latest state>#<quantumTaskArn>
    purpose="tasks by latest status, by the time they reached it",
)

INDEXES: tuple[IndexDefinition, ...] = (DEVICE_INDEX, JOB_INDEX, STATUS_INDEX)


def key_attribute_names() -> list[str]:
    """Every attribute that is a table or index key (all of type string)."""
    names = [PARTITION_KEY, SORT_KEY]
    for index in INDEXES:
        names += [index.partition_key, index.sort_key]
    return names


def create_table_request(table_name: str) -> dict:
    """Arguments for DynamoDB ``CreateTable`` that build the audit table (on-demand)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in key_attribute_names()],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in INDEXES
        ],
    }


def time_to_live_request(table_name: str) -> dict:
    """Arguments for DynamoDB ``UpdateTimeToLive``: items expire by ``EXPIRY_ATTRIBUTE`` (as deployed)."""
    return {
        "TableName": table_name,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": EXPIRY_ATTRIBUTE},
    }
