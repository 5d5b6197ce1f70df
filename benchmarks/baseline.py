"""The floor for per-event CPU: a plain boto3 handler that makes the function's AWS calls, no more.

No validation of the event, no Powertools, no metrics or logs: parse the body, GetQuantumTask (with
queue info), Query for terminal events, one TransactWriteItems (put the event item if new, update the
latest state if it ranks higher: items of about the function's size), PutItem alone for a late event,
and for a notified status Publish and UpdateItem. What the function spends beyond this is its own.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

TABLE = "braket-task-audit"
TOPIC = "arn:aws:sns:us-east-1:123456789012:braket-task-notifications"
RANKS = {"CREATED": 1, "QUEUED": 2, "RUNNING": 3, "CANCELLING": 4, "COMPLETED": 5, "FAILED": 5, "CANCELLED": 5}
TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
NOTIFY = ("COMPLETED", "FAILED", "CANCELLED")


def _attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": str(value)}
    if isinstance(value, dict):
        return {"M": {key: _attribute(inner) for key, inner in value.items()}}
    if isinstance(value, list):
        return {"L": [_attribute(inner) for inner in value]}
    return {"S": str(value)}


class BaselineFunction:
    def __init__(self, no_validation: bool = False) -> None:
        config = Config(parameter_validation=not no_validation, retries={"mode": "standard", "total_max_attempts": 4})
        session = boto3.Session()
        self.braket = session.client("braket", config=config)
        self.dynamodb = session.client("dynamodb", config=config)
        self.sns = session.client("sns", config=config)

    def handle(self, batch: dict[str, Any], context: Any) -> dict[str, Any]:
        for record in batch["Records"]:
            self._one(json.loads(record["body"]))
        return {"batchItemFailures": []}

    def _one(self, event: dict[str, Any]) -> None:
        detail = event["detail"]
        arn, status = detail["quantumTaskArn"], detail["status"]
        task = self.braket.get_quantum_task(quantumTaskArn=arn, additionalAttributeNames=["QueueInfo"])
        task.pop("ResponseMetadata", None)
        if status in TERMINAL:
            self.dynamodb.query(
                TableName=TABLE,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
                ExpressionAttributeValues={":pk": {"S": f"TASK#{arn}"}, ":e": {"S": "EVENT#"}},
            )
        record = {**detail, **{key: value for key, value in task.items() if key not in detail}, "eventId": event["id"]}
        record = {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in record.items()}
        event_key = {"pk": {"S": f"TASK#{arn}"}, "sk": {"S": f"EVENT#{event['time']}#{event['id']}"}}
        put = {
            "TableName": TABLE,
            "Item": {**{key: _attribute(value) for key, value in record.items()}, **event_key},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        names = {f"#a{n}": key for n, key in enumerate(record)}
        values = {f":a{n}": _attribute(value) for n, value in enumerate(record.values())}
        update = {
            "TableName": TABLE,
            "Key": {"pk": {"S": f"TASK#{arn}"}, "sk": {"S": "LATEST"}},
            "UpdateExpression": "SET " + ", ".join(f"#a{n} = :a{n}" for n in range(len(record))),
            "ConditionExpression": "attribute_not_exists(pk) OR #r < :r",
            "ExpressionAttributeNames": {**names, "#r": "statusRank"},
            "ExpressionAttributeValues": {**values, ":r": {"N": str(RANKS.get(status, 0))}},
        }
        try:
            self.dynamodb.transact_write_items(TransactItems=[{"Put": put}, {"Update": update}])
        except ClientError as error:
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if reasons[1:2] == ["ConditionalCheckFailed"] and reasons[0] == "None":
                self.dynamodb.put_item(**put)  # late: the event alone
            return
        if status in NOTIFY:
            self.sns.publish(TopicArn=TOPIC, Subject=f"Braket task {status}", Message=json.dumps(record))
            self.dynamodb.update_item(
                TableName=TABLE,
                Key=event_key,
                UpdateExpression="SET notification = :s",
                ExpressionAttributeValues={":s": {"S": "SENT"}},
            )
