"""The table the template declares is the table the handler writes: build it in moto from the
synthesized template (not from ``audit_schema``), then run the real handler against it."""

from __future__ import annotations

import pytest

from task_monitor.adapters.audit_store import CLAIM_TIMEOUT_SECONDS
from task_monitor_devkit.builders.job import JOB_ARN
from task_monitor_devkit.builders.task import TASK_ARN, description, lifecycle
from task_monitor_devkit.embedded import TABLE_NAME, EmbeddedAws

pytestmark = pytest.mark.infra


def _declared_table(main_template) -> dict:
    (table,) = main_template.find_resources("AWS::DynamoDB::Table").values()
    return table["Properties"]


def test_given_the_template_table_when_the_handler_runs_then_every_index_answers(main_template, sleeps) -> None:
    declared = _declared_table(main_template)
    with EmbeddedAws() as aws:
        # Replace the embedded table with one made from the template's own definition
        aws.dynamodb.delete_table(TableName=TABLE_NAME)
        aws.dynamodb.create_table(
            TableName=TABLE_NAME,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=declared["AttributeDefinitions"],
            KeySchema=declared["KeySchema"],
            GlobalSecondaryIndexes=[
                {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
                for index in declared["GlobalSecondaryIndexes"]
            ],
        )
        aws.load_handler()
        job = JOB_ARN
        for event in lifecycle():
            aws.braket.put_task(description(event["detail"]["status"], jobArn=job))
            assert aws.invoke(event).succeeded
        log = aws.audit_log()
        assert [r["status"] for r in log.history(TASK_ARN)] == ["CREATED", "QUEUED", "RUNNING", "COMPLETED"]
        assert log.latest(TASK_ARN)["status"] == "COMPLETED"
        assert [r["quantumTaskArn"] for r in log.tasks_on_device(lifecycle()[0]["detail"]["deviceArn"])] == [TASK_ARN]
        assert [r["quantumTaskArn"] for r in log.tasks_of_job(job)] == [TASK_ARN]
        assert [r["quantumTaskArn"] for r in log.tasks_by_status("COMPLETED")] == [TASK_ARN]
        assert len(aws.subscriber_messages()) == 1


def test_given_the_function_timeout_then_an_abandoned_notification_claim_outlives_it(main_template) -> None:
    (function,) = main_template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": "task_monitor.handler.lambda_handler"}}
    ).values()
    # A claim younger than this may belong to an invocation still running: it must not be taken over.
    assert function["Properties"]["Timeout"] < CLAIM_TIMEOUT_SECONDS
