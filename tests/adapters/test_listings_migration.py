"""The CLI's listings while a stack migrates its indexes (audit_schema.MIGRATION_STEPS), on moto: at every
step they list the same tasks with the same rows, reading the old ALL-projected index where the new
one is not there yet (filters then run in the query, nothing is read from the items), and the new
small one after (tags and byDevice's missing fields then come from the latest states)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from task_monitor import audit_schema
from task_monitor.adapters.audit_store import DynamoAuditStore
from task_monitor.audit import AuditLog
from task_monitor_cli.listings import TaskFilter, list_tasks
from task_monitor_devkit.builders.job import JOB_ARN
from task_monitor_devkit.builders.task import FORTE, GARNET, task_arn
from tests.adapters.test_index_migration import TABLE, _apply, _save

FILTERS = {
    "everything": TaskFilter(),
    "on Forte-1": TaskFilter(device=FORTE),
    "Forte-1, completed": TaskFilter(device=FORTE, status="COMPLETED"),
    "of the job": TaskFilter(job=JOB_ARN),
    "queued": TaskFilter(status="QUEUED"),
    "tagged": TaskFilter(tag=("project", "vqe-h2")),
    "tagged otherwise": TaskFilter(tag=("owner", "bob")),
    "created on the day": TaskFilter(since="2026-11-20", until="2026-11-20"),
}


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        client.create_table(**audit_schema.create_table_request(TABLE, audit_schema.LEGACY_INDEXES))
        yield client


def _listed(dynamodb: Any, deployed: frozenset[str]) -> tuple[dict[str, list[Any]], set[str]]:
    operations: set[str] = set()
    dynamodb.meta.events.register("before-parameter-build.dynamodb", lambda model, **_: operations.add(model.name))
    log = AuditLog(TABLE, client=dynamodb, deployed_indexes=deployed)
    listed = {name: list(list_tasks(log, task_filter, page_size=2)) for name, task_filter in FILTERS.items()}
    return listed, operations


def test_every_step_lists_the_same_rows(dynamodb) -> None:
    store = DynamoAuditStore(dynamodb, TABLE)
    done, waiting, in_job, elsewhere = (task_arn(task_id=f"{n}" * 8) for n in range(1, 5))
    _save(store, "COMPLETED", done)
    _save(store, "QUEUED", waiting, tags={"owner": "bob"})
    _save(store, "COMPLETED", in_job, jobArn=JOB_ARN)
    _save(store, "QUEUED", elsewhere, device=GARNET, tags={})
    steps = audit_schema.MIGRATION_STEPS
    before, operations = _listed(dynamodb, frozenset(index.name for index in steps[0]))
    assert {row["arn"] for row in before["everything"]} == {done, waiting, in_job, elsewhere}
    assert {row["arn"] for row in before["tagged"]} == {done, in_job}
    assert [row["arn"] for row in before["tagged otherwise"]] == [waiting]
    assert operations == {"Query"}  # the old indexes copy everything: nothing read from the items
    for number in range(1, len(steps)):
        _apply(dynamodb, steps[number - 1], steps[number])
        listed, operations = _listed(dynamodb, frozenset(index.name for index in steps[number]))
        assert listed == before, f"step {number}"
        assert operations <= {"Query", "BatchGetItem"}
