"""Device availability events, in the shape docs/braket-events.md §2 guesses (no real sample exists)."""

from __future__ import annotations

import uuid
from typing import Any

from task_monitor_devkit.builders.task import ACCOUNT, FORTE

DEVICE_STATUS = "Braket Device Status Change"
QPU_STATUS = "Braket QPU Status Change"
ANKAA = "arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3"
_OMIT = object()


def device_event(
    status: Any = "OFFLINE",
    *,
    arn: str = FORTE,
    detail_type: str = DEVICE_STATUS,
    time: str = "2026-11-21T06:00:04Z",
    event_id: str | None = None,
    status_field: str = "status",
    arn_in_detail: bool = True,
    resources: Any = _OMIT,
    region: Any = _OMIT,
    **detail_extra: Any,
) -> dict[str, Any]:
    """A device event. ``arn_in_detail=False`` leaves ``detail.deviceArn`` out (the ARN is then only in
    ``resources``); ``status_field`` names the status field (``status`` or ``deviceStatus``)."""
    detail: dict[str, Any] = {"deviceArn": arn} if arn_in_detail else {}
    if status is not None:
        detail[status_field] = status
    detail.update(detail_extra)
    arn_region = arn.split(":")[3]
    event: dict[str, Any] = {
        "version": "0",
        "id": event_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{detail_type}/{arn}/{status}/{time}")),
        "detail-type": detail_type,
        "source": "aws.braket",
        "account": ACCOUNT,
        "time": time,
        "region": (arn_region or "us-east-1") if region is _OMIT else region,
        "resources": [arn] if resources is _OMIT else resources,
        "detail": detail,
    }
    if region is None:
        del event["region"]
    return event
