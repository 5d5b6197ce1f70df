"""AuditLog.latest_states: BatchGetItem of latest states (the listings' read of what an index does not
copy), 100 keys a request, keys DynamoDB leaves unprocessed (throttling) asked again, then given up
on with a clear error rather than a silently short listing."""

from __future__ import annotations

from typing import Any

import pytest

from task_monitor import audit
from task_monitor.adapters.dynamodb_codec import to_item
from task_monitor.audit import AuditLog
from task_monitor_devkit.builders.task import task_arn


class ThrottlingTable:
    """Answers BatchGetItem from ``items``, leaving the last key of each request unprocessed ``throttle`` times."""

    def __init__(self, items: dict[str, dict[str, Any]], throttle: int) -> None:
        self.items = items
        self.throttle = throttle
        self.requests: list[list[str]] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 (botocore's name)
        ((table, request),) = RequestItems.items()
        partitions = [key["pk"]["S"] for key in request["Keys"]]
        self.requests.append(partitions)
        answered, left = partitions, []
        if self.throttle > 0:
            self.throttle -= 1
            answered, left = partitions[:-1], partitions[-1:]
        response: dict[str, Any] = {"Responses": {table: [self.items[pk] for pk in answered if pk in self.items]}}
        if left:
            response["UnprocessedKeys"] = {
                table: {**request, "Keys": [key for key in request["Keys"] if key["pk"]["S"] in left]}
            }
        return response


def _latest(arn: str) -> dict[str, Any]:
    return to_item({"pk": f"TASK#{arn}", "sk": "LATEST", "quantumTaskArn": arn, "status": "COMPLETED", "shots": 10})


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch) -> None:
    monkeypatch.setattr(audit.time, "sleep", lambda seconds: None)


def test_unprocessed_keys_are_asked_again_and_every_state_is_returned() -> None:
    arns = [task_arn(task_id=f"{n:08d}") for n in range(250)]
    table = ThrottlingTable({f"TASK#{arn}": _latest(arn) for arn in arns[:-1]}, throttle=3)  # the last has none
    states = AuditLog("t", client=table).latest_states(arns, ["status"])
    assert set(states) == set(arns[:-1])
    # as every reader gets a record: what is stored, plus what derives from it (the task id, account, region)
    stored = {"quantumTaskArn": arns[0], "status": "COMPLETED", "shots": 10}
    assert stored.items() <= states[arns[0]].items() and states[arns[0]]["taskId"] == "00000000"
    assert all(len(request) <= 100 for request in table.requests)
    assert len(table.requests) == 3 + 3  # three chunks, three of them asked once more


def test_keys_still_unprocessed_after_the_retries_are_an_error_not_a_short_listing() -> None:
    arns = [task_arn(task_id=f"{n:08d}") for n in range(3)]
    table = ThrottlingTable({f"TASK#{arn}": _latest(arn) for arn in arns}, throttle=100)
    with pytest.raises(RuntimeError, match="unread after"):
        AuditLog("t", client=table).latest_states(arns)
