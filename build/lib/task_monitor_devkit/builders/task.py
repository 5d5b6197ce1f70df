"""Task state changes (``Braket Task State Change``) and GetQuantumTask answers, in the shapes Braket
documents and sends."""

from __future__ import annotations

import copy
import uuid
from typing import Any

ACCOUNT = "123456789012"
TASK_ID = "5b0e7a8c-3f41-4a52-9d6e-1c2b3a4d5e6f"
TASK_ARN = f"arn:aws:braket:us-east-1:{ACCOUNT}:quantum-task/{TASK_ID}"
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
GARNET = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
CREATED_AT = "2026-11-20T09:00:01.120Z"
EVENT_TIMES = {
    "CREATED": "2026-11-20T09:00:02Z",
    "QUEUED": "2026-11-20T09:00:03Z",
    "RUNNING": "2026-11-20T11:41:17Z",
    "CANCELLING": "2026-11-20T11:42:00Z",
    "COMPLETED": "2026-11-20T11:43:40Z",
    "FAILED": "2026-11-20T11:43:40Z",
    "CANCELLED": "2026-11-20T11:43:40Z",
}
ENDED_AT = "2026-11-20T11:43:39.871Z"
# The hybrid job a fully described task ran in (a job's ARN ends in a UUID, not in the job's name).
PARENT_JOB_ARN = f"arn:aws:braket:us-east-1:{ACCOUNT}:job/2a7c4e6f-8b1d-4f3a-9c5e-7d0b2f4a6c81"
TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
# The GetQuantumTask fields the issue asks every record to carry (written out here, not imported,
# so a field dropped from the code fails the tests).
ENRICHMENT_FIELD_NAMES = (
    "queueInfo",
    "actionMetadata",
    "associations",
    "failureReason",
    "jobArn",
    "tags",
    "numSuccessfulShots",
    "experimentalCapabilities",
)


def _region_and_id(arn: str) -> tuple[str, str]:
    return arn.split(":")[3], arn.rsplit("/", 1)[-1]


def task_arn(region: str = "us-east-1", task_id: str = TASK_ID) -> str:
    return f"arn:aws:braket:{region}:{ACCOUNT}:quantum-task/{task_id}"


def long_device_arn(characters: int) -> str:
    """A device ARN of exactly ``characters`` characters, well formed but for its length (a long name)."""
    prefix = "arn:aws:braket:us-east-1::device/qpu/ionq/"
    return prefix + "F" * (characters - len(prefix))


def long_partition_arn(arn: str, characters: int) -> str:
    """``arn`` grown to ``characters`` by its partition (``aws-xxx…``): the shape of an ARN, too long to be one."""
    head, rest = arn.split(":", 2)[1], arn.split(":", 2)[2]
    grown = f"arn:{head}-{'x' * (characters - len(arn) - 1)}:{rest}"
    assert len(grown) == characters
    return grown


def task_event(
    status: str = "COMPLETED",
    *,
    arn: str = TASK_ARN,
    device: str = FORTE,
    shots: Any = "1000",
    time: str | None = None,
    event_id: str | None = None,
    created_at: str = CREATED_AT,
    ended_at: str = ENDED_AT,
    **detail_overrides: Any,
) -> dict[str, Any]:
    """A ``Braket Task State Change`` event as EventBridge delivers it (shots a string); ``ended_at``
    only on a terminal status."""
    time = time or EVENT_TIMES.get(status, "2026-11-20T12:00:00Z")
    region, task_id = _region_and_id(arn)
    detail: dict[str, Any] = {
        "quantumTaskArn": arn,
        "status": status,
        "deviceArn": device,
        "shots": shots,
        "outputS3Bucket": f"amazon-braket-{region}-{ACCOUNT}",
        "outputS3Directory": f"tasks/{task_id}",
        "createdAt": created_at,
        "eventName": "INSERT" if status == "CREATED" else "MODIFY",
    }
    if status in TERMINAL:
        detail["endedAt"] = ended_at
    detail.update(detail_overrides)
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}/{status}/{time}")),
        "detail-type": "Braket Task State Change",
        "source": "aws.braket",
        "account": ACCOUNT,
        "time": time,
        "region": region,
        "resources": [arn],
        "detail": detail,
    }


def lifecycle(arn: str = TASK_ARN, device: str = FORTE, final: str = "COMPLETED") -> list[dict[str, Any]]:
    return [task_event(status, arn=arn, device=device) for status in ("CREATED", "QUEUED", "RUNNING", final)]


def description(status: str = "COMPLETED", *, arn: str = TASK_ARN, device: str = FORTE, **fields: Any) -> dict:
    """GetQuantumTask's answer in JSON wire form, with every field the monitor reads."""
    region, task_id = _region_and_id(arn)
    answer: dict[str, Any] = {
        "quantumTaskArn": arn,
        "status": status,
        "deviceArn": device,
        "deviceParameters": "{}",
        "shots": 1000,
        "outputS3Bucket": f"amazon-braket-{region}-{ACCOUNT}",
        "outputS3Directory": f"tasks/{task_id}",
        "createdAt": CREATED_AT,
        "tags": {"project": "vqe-h2", "owner": "alice"},
        "queueInfo": {
            "queue": "QUANTUM_TASKS_QUEUE",
            "position": "17" if status == "QUEUED" else "None",
            "queuePriority": "Normal",
            **({} if status == "QUEUED" else {"message": f"Task is in {status} status."}),
        },
        "associations": [],
        "actionMetadata": {"actionType": "braket.ir.openqasm.program"},
    }
    if status in TERMINAL:
        answer["endedAt"] = ENDED_AT
        answer["numSuccessfulShots"] = 1000 if status == "COMPLETED" else 0
    answer.update(fields)
    return copy.deepcopy(answer)


def fully_described(status: str = "COMPLETED", *, arn: str = TASK_ARN) -> dict[str, Any]:
    """A description with every optional field Braket can return."""
    failure = {"failureReason": "Device calibration drifted"} if status == "FAILED" else {}
    return description(
        status,
        arn=arn,
        **failure,
        jobArn=PARENT_JOB_ARN,
        associations=[
            {
                "arn": f"arn:aws:braket:us-east-1:{ACCOUNT}:reservation/0b7f3c1e-aaaa-4bbb-8ccc-123456789abc",
                "type": "RESERVATION_TIME_WINDOW_ARN",
            }
        ],
        actionMetadata={"actionType": "braket.ir.openqasm.program_set", "programCount": 3, "executableCount": 12},
        experimentalCapabilities={"enabled": "ALL"},
    )
