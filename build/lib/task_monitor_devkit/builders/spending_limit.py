"""Spend events (``Braket Spending Limit Spend Change``), in the shape of the Braket Developer Guide's sample."""

from __future__ import annotations

import uuid
from typing import Any

from task_monitor_devkit.builders.task import ACCOUNT, FORTE, TASK_ARN

SPEND_CHANGE = "Braket Spending Limit Spend Change"
LIMIT_ARN = f"arn:aws:braket:us-east-1:{ACCOUNT}:spending-limit/b6951b86-8222-45b1-9908-2df6c3ac717d"
# One period (epoch milliseconds, as Braket sends them): November 2026, and the month after.
NOVEMBER = (1_793_491_200_000, 1_796_083_200_000)
DECEMBER = (1_796_083_200_000, 1_798_761_600_000)
_OMIT = object()


def spend_event(
    total: Any = "5.00",
    *,
    limit: Any = "10.00",
    queued: Any = "1.00",
    arn: str = LIMIT_ARN,
    period: Any = NOVEMBER,
    task: str | None = TASK_ARN,
    device: str | None = FORTE,
    time: str = "2026-11-21T06:00:04Z",
    event_id: str | None = None,
    arn_in_detail: bool = True,
    resources: Any = _OMIT,
) -> dict[str, Any]:
    """A spend event; ``None`` leaves a field out; ``period`` is (startAt, endAt) in epoch ms, or a raw value."""
    detail: dict[str, Any] = {
        "quantumTaskArn": task,
        "deviceArn": device,
        "spendingLimit": limit,
        "spendingLimitArn": arn if arn_in_detail else None,
        "totalSpend": total,
        "queuedSpend": queued,
        "timePeriod": {"startAt": period[0], "endAt": period[1]} if isinstance(period, tuple) else period,
    }
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{SPEND_CHANGE}/{arn}/{total}/{period}/{time}")),
        "detail-type": SPEND_CHANGE,
        "source": "aws.braket",
        "account": ACCOUNT,
        "time": time,
        "region": arn.split(":")[3],
        "resources": [arn, *([task] if task else [])] if resources is _OMIT else resources,
        "detail": {key: value for key, value in detail.items() if value is not None},
    }
