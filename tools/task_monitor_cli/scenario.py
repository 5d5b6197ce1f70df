"""The demo's story: five tasks on five devices in four regions, delivered as Braket would.

Each step is one EventBridge delivery. Before it, the Braket emulator is set to what
GetQuantumTask would say at that moment, so a late event meets a task that has moved on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"


@dataclass(frozen=True)
class DemoTask:
    key: str
    region: str
    device_arn: str
    shots: int
    created_at: str
    extra: dict[str, Any] = field(default_factory=dict)  # GetQuantumTask-only fields

    @property
    def task_id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"braket-task-monitor-demo/{self.key}"))

    @property
    def arn(self) -> str:
        return f"arn:aws:braket:{self.region}:{ACCOUNT}:quantum-task/{self.task_id}"


@dataclass(frozen=True)
class Step:
    task: DemoTask
    status: str
    time: str  # the event's time, second resolution as EventBridge sends it
    note: str = ""
    braket_now: dict[str, Any] = field(default_factory=dict)  # GetQuantumTask's view when delivered
    not_found_calls: int = 0  # GetQuantumTask calls that miss the task first (eventual consistency)

    def event(self) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "quantumTaskArn": self.task.arn,
            "status": self.status,
            "deviceArn": self.task.device_arn,
            "shots": str(self.task.shots),  # a string, as in real events
            "outputS3Bucket": f"amazon-braket-{self.task.region}-{ACCOUNT}",
            "outputS3Directory": f"tasks/{self.task.task_id}",
            "createdAt": self.task.created_at,
            "eventName": "INSERT" if self.status == "CREATED" else "MODIFY",
        }
        if self.status in ("COMPLETED", "FAILED", "CANCELLED"):
            detail["endedAt"] = self.braket_now.get("endedAt", self.time)
        return {
            "version": "0",
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.task.arn}/{self.status}/{self.time}")),
            "detail-type": "Braket Task State Change",
            "source": "aws.braket",
            "account": ACCOUNT,
            "time": self.time,
            "region": self.task.region,
            "resources": [self.task.arn],
            "detail": detail,
        }

    def description(self) -> dict[str, Any]:
        """GetQuantumTask's answer (JSON wire form) at the time of this delivery."""
        event = self.event()["detail"]
        description = {
            "quantumTaskArn": self.task.arn,
            "status": self.status,
            "deviceArn": self.task.device_arn,
            "deviceParameters": "{}",
            "shots": self.task.shots,
            "outputS3Bucket": event["outputS3Bucket"],
            "outputS3Directory": event["outputS3Directory"],
            "createdAt": self.task.created_at,
            "associations": [],
            "queueInfo": {
                "queue": "QUANTUM_TASKS_QUEUE",
                "position": "None",
                "queuePriority": "Normal",
                "message": f"Task is in {self.status} status. AmazonBraket does not show queue position "
                "for this status.",
            },
            **self.task.extra,
        }
        description.update(self.braket_now)
        return description


FORTE = DemoTask(
    "forte-vqe",
    "us-east-1",
    "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
    1000,
    "2026-11-20T09:00:01.120Z",
    {
        "tags": {"project": "vqe-h2", "owner": "alice"},
        "actionMetadata": {"actionType": "braket.ir.openqasm.program"},
    },
)
GARNET = DemoTask(
    "garnet-ghz",
    "eu-north-1",
    "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet",
    500,
    "2026-11-20T09:05:10.004Z",
    {"tags": {"project": "ghz-scaling", "owner": "bob"}},
)
SV1_PROGRAM_SET = DemoTask(
    "sv1-program-set",
    "us-west-2",
    "arn:aws:braket:::device/quantum-simulator/amazon/sv1",
    100,
    "2026-11-20T09:10:00.500Z",
    {
        "tags": {"project": "qaoa-maxcut"},
        "actionMetadata": {
            "actionType": "braket.ir.openqasm.program_set",
            "programCount": 4,
            "executableCount": 16,
        },
    },
)
ANKAA_RESERVATION = DemoTask(
    "ankaa-reservation",
    "us-west-1",
    "arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3",
    2000,
    "2026-11-20T10:00:00.250Z",
    {
        "tags": {"project": "error-mitigation", "owner": "carol"},
        "associations": [
            {
                "arn": f"arn:aws:braket:us-west-1:{ACCOUNT}:reservation/7c9a4e1b-2f3d-4e5a-9b8c-0d1e2f3a4b5c",
                "type": "RESERVATION_TIME_WINDOW_ARN",
            }
        ],
    },
)
JOB_TASK = DemoTask(
    "job-sweep-task",
    "us-east-1",
    "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
    300,
    "2026-11-20T09:30:00.900Z",
    {
        "jobArn": f"arn:aws:braket:us-east-1:{ACCOUNT}:job/vqe-h2-bond-sweep",
        "tags": {"project": "vqe-h2", "owner": "alice"},
        # A hybrid job's tasks wait in the task queue with priority over standalone tasks.
        "queueInfo": {"queue": "QUANTUM_TASKS_QUEUE", "position": "None", "queuePriority": "Priority"},
    },
)


def _queued(position: str, priority: str = "Normal") -> dict[str, Any]:
    return {"queueInfo": {"queue": "QUANTUM_TASKS_QUEUE", "position": position, "queuePriority": priority}}


def demo_steps() -> list[Step]:
    """Deliveries in the order they arrive, duplicates and a late one included."""
    steps = [
        Step(
            FORTE,
            "CREATED",
            "2026-11-20T09:00:02Z",
            "GetQuantumTask finds the new task on the second try",
            not_found_calls=1,
        ),
        Step(GARNET, "QUEUED", "2026-11-20T09:05:11Z", braket_now=_queued("3")),
        Step(SV1_PROGRAM_SET, "QUEUED", "2026-11-20T09:10:01Z", braket_now=_queued("0")),
        Step(SV1_PROGRAM_SET, "RUNNING", "2026-11-20T09:10:02Z"),
        Step(
            SV1_PROGRAM_SET,
            "COMPLETED",
            "2026-11-20T09:10:09Z",
            braket_now={"endedAt": "2026-11-20T09:10:08.730Z", "numSuccessfulShots": 100},
        ),
        Step(JOB_TASK, "QUEUED", "2026-11-20T09:30:01Z", braket_now=_queued("2", priority="Priority")),
        Step(GARNET, "RUNNING", "2026-11-20T09:41:37Z"),
        Step(
            GARNET,
            "FAILED",
            "2026-11-20T09:41:52Z",
            braket_now={
                "endedAt": "2026-11-20T09:41:51.318Z",
                "failureReason": "Circuit uses 25 qubits; the device accepts at most 20 in one task.",
            },
        ),
        Step(JOB_TASK, "RUNNING", "2026-11-20T09:58:44Z"),
        Step(ANKAA_RESERVATION, "QUEUED", "2026-11-20T10:00:01Z", braket_now=_queued("0", priority="Priority")),
        Step(ANKAA_RESERVATION, "RUNNING", "2026-11-20T10:00:03Z"),
        Step(JOB_TASK, "CANCELLING", "2026-11-20T10:02:15Z", "the job was stopped"),
        Step(JOB_TASK, "CANCELLED", "2026-11-20T10:02:19Z", braket_now={"endedAt": "2026-11-20T10:02:18.101Z"}),
        Step(
            ANKAA_RESERVATION,
            "COMPLETED",
            "2026-11-20T10:04:31Z",
            braket_now={"endedAt": "2026-11-20T10:04:30.552Z", "numSuccessfulShots": 2000},
        ),
        Step(FORTE, "RUNNING", "2026-11-20T11:41:17Z"),
        Step(
            FORTE,
            "QUEUED",
            "2026-11-20T09:00:03Z",
            "delivered late: the task is already running",
            braket_now={"status": "RUNNING"},
        ),
        Step(
            FORTE,
            "COMPLETED",
            "2026-11-20T11:43:40Z",
            braket_now={"endedAt": "2026-11-20T11:43:39.871Z", "numSuccessfulShots": 1000},
        ),
    ]
    completed = len(steps) - 1
    steps.append(
        Step(
            FORTE,
            "COMPLETED",
            steps[completed].time,
            "the same event delivered twice",
            braket_now=steps[completed].braket_now,
        )
    )
    return steps


def invalid_event() -> dict[str, Any]:
    """A malformed event (shots is not a number): rejected, and kept for replay."""
    event = Step(FORTE, "COMPLETED", "2026-11-20T11:50:00Z").event()
    event["id"] = "0badc0de-0000-4000-8000-000000000000"
    event["detail"]["shots"] = "lots"
    return event
