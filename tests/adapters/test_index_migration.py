"""The audit table's move from the ALL-projected indexes to issue 15's (audit_schema.MIGRATION_STEPS),
on moto: a table built as deployed before, holding tasks, goes through every step as CloudFormation
would apply it (one index created or deleted per update); at each step the listings, read through
the indexes the step has, return the same tasks, and events recorded mid-way are listed too."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from task_monitor import audit_schema
from task_monitor.adapters.audit_items import record_from_item
from task_monitor.adapters.audit_store import DynamoAuditStore
from task_monitor.adapters.waiting_tasks import DynamoWaitingTasks
from task_monitor.audit import AuditLog
from task_monitor.domain.kinds.task.event import parse_task_event
from task_monitor.domain.kinds.task.record import build_record
from task_monitor_devkit.builders.job import JOB_ARN
from task_monitor_devkit.builders.task import FORTE, GARNET, description, task_arn, task_event

TABLE = "audit-being-migrated"


def _save(store: DynamoAuditStore, status: str, arn: str, device: str = FORTE, **described: Any) -> None:
    event = task_event(status, arn=arn, device=device)
    store.save(
        build_record(parse_task_event(event), description(status, arn=arn, device=device, **described)), claim=None
    )


def _listings(dynamodb: Any, deployed: frozenset[str]) -> dict[str, Any]:
    log = AuditLog(TABLE, client=dynamodb, deployed_indexes=deployed)
    arns = lambda records: [record["quantumTaskArn"] for record in records]  # noqa: E731
    return {
        "on Forte-1": arns(log.tasks_on_device(FORTE)),
        "on Garnet": arns(log.tasks_on_device(GARNET)),
        "of the job": arns(log.tasks_of_job(JOB_ARN)),
        "of the job, shots": sorted(record["shots"] for record in log.tasks_of_job(JOB_ARN)),
        "completed": arns(log.tasks_by_status("COMPLETED")),
        "queued": arns(log.tasks_by_status("QUEUED")),
        "waiting on Forte-1": arns(log.tasks_waiting_on_device(FORTE)),
        "waiting count": DynamoWaitingTasks(dynamodb, TABLE, deployed_indexes=deployed).count(FORTE),
    }


def _apply(
    dynamodb: Any, before: tuple[audit_schema.IndexDefinition, ...], after: tuple[audit_schema.IndexDefinition, ...]
) -> None:
    """One stack update: exactly one index created or deleted, as CloudFormation allows."""
    created = [index for index in after if index not in before]
    deleted = [index for index in before if index not in after]
    assert len(created) + len(deleted) == 1, (created, deleted)
    if created:
        update: dict[str, Any] = {"Create": audit_schema.global_index_request(created[0])}
    else:
        update = {"Delete": {"IndexName": deleted[0].name}}
    dynamodb.update_table(
        TableName=TABLE,
        AttributeDefinitions=audit_schema.create_table_request(TABLE)["AttributeDefinitions"],
        GlobalSecondaryIndexUpdates=[update],
    )


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        client.create_table(**audit_schema.create_table_request(TABLE, audit_schema.LEGACY_INDEXES))
        yield client


def test_every_step_lists_the_same_tasks_and_the_last_has_only_the_new_indexes(dynamodb) -> None:
    # Given the table as deployed before issue 15, holding tasks in several states, on two devices, one in a job
    store = DynamoAuditStore(dynamodb, TABLE)
    done, waiting, in_job, elsewhere = (task_arn(task_id=f"{n}" * 8) for n in range(1, 5))
    _save(store, "COMPLETED", done)
    _save(store, "QUEUED", waiting)
    _save(store, "COMPLETED", in_job, jobArn=JOB_ARN)
    _save(store, "QUEUED", elsewhere, device=GARNET)
    steps = audit_schema.MIGRATION_STEPS
    expected = _listings(dynamodb, frozenset(index.name for index in steps[0]))
    assert expected["on Forte-1"] and expected["of the job"] == [in_job] and expected["waiting count"] == 1

    recorded_mid_way: list[str] = []
    for number in range(1, len(steps)):
        # When the next step is applied
        _apply(dynamodb, steps[number - 1], steps[number])
        deployed = frozenset(index.name for index in steps[number])
        # Then the listings, through the indexes it has, are those of before (plus the tasks recorded since)
        listings = _listings(dynamodb, deployed)
        assert sorted(set(listings["on Forte-1"]) - set(recorded_mid_way)) == sorted(expected["on Forte-1"])
        assert listings["of the job"] == expected["of the job"]
        assert listings["of the job, shots"] == expected["of the job, shots"]
        assert listings["completed"] == expected["completed"]
        assert listings["on Garnet"] == expected["on Garnet"]
        assert listings["waiting count"] == expected["waiting count"] + len(recorded_mid_way)
        # and the function keeps recording while the stack migrates
        arn = task_arn(task_id=f"{number:08d}")
        _save(store, "QUEUED", arn)
        recorded_mid_way.append(arn)
        assert arn in _listings(dynamodb, deployed)["waiting on Forte-1"]

    table = dynamodb.describe_table(TableName=TABLE)["Table"]
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} == {
        index.name for index in audit_schema.INDEXES
    }
    assert all(index["Projection"]["ProjectionType"] == "INCLUDE" for index in table["GlobalSecondaryIndexes"])


def test_the_final_indexes_answer_without_reading_items(dynamodb) -> None:
    """The listings' fields come from the index entries themselves (moto applies the projection)."""
    for before, after in zip(audit_schema.MIGRATION_STEPS, audit_schema.MIGRATION_STEPS[1:], strict=False):
        _apply(dynamodb, before, after)
    store = DynamoAuditStore(dynamodb, TABLE)
    arn = task_arn(task_id="9" * 8)
    _save(store, "COMPLETED", arn, jobArn=JOB_ARN)
    (entry,) = dynamodb.query(
        TableName=TABLE,
        IndexName=audit_schema.JOB_INDEX.name,
        KeyConditionExpression="jobKey = :job",
        ExpressionAttributeValues={":job": {"S": f"JOB#{JOB_ARN}"}},
    )["Items"]
    latest = store.latest(arn) or {}
    assert {"status", "shots", "numSuccessfulShots", "timings"} <= set(entry)
    # As listed: what a compact item leaves to its keys (the ARN in pk) and to derivation comes back.
    assert set(audit_schema.JOB_INDEX.projection or ()) & set(latest) <= set(record_from_item(entry))
    assert "queueInfo" not in entry and "tags" not in entry  # not what the roll-up reads
    (by_device,) = dynamodb.query(
        TableName=TABLE,
        IndexName=audit_schema.DEVICE_INDEX.name,
        KeyConditionExpression="deviceKey = :device",
        ExpressionAttributeValues={":device": {"S": f"DEVICE#{FORTE}"}},
    )["Items"]
    assert "status" not in by_device and record_from_item(by_device)["quantumTaskArn"] == arn  # never rewritten


def test_a_step_that_names_neither_index_is_refused() -> None:
    with pytest.raises(ValueError, match="neither"):
        audit_schema.in_service(audit_schema.JOB_INDEX, {"byDevice-v2", "byStatus-v2"})
