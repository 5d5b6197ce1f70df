from __future__ import annotations

import botocore.session
import pytest
from moto import mock_aws

from task_monitor import audit_schema
from task_monitor.adapters.audit_store import DynamoAuditStore
from task_monitor.audit import AuditLog
from task_monitor.wiring import AWS_CLIENT_CONFIG

TABLE = "audit-under-test"


@pytest.fixture
def dynamodb():
    with mock_aws():
        # The function's own client configuration, so botocore retries here exactly as it does deployed.
        client = botocore.session.get_session().create_client(
            "dynamodb", region_name="us-east-1", config=AWS_CLIENT_CONFIG
        )
        client.create_table(**audit_schema.create_table_request(TABLE))
        yield client


@pytest.fixture
def store(dynamodb) -> DynamoAuditStore:
    return DynamoAuditStore(dynamodb, TABLE)


@pytest.fixture
def audit_log(dynamodb) -> AuditLog:
    return AuditLog(TABLE, client=dynamodb)


@pytest.fixture
def table_calls(dynamodb) -> list[str]:
    """Every DynamoDB operation the client sends, by name."""
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    return calls
