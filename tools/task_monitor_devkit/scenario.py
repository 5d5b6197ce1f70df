"""The demo's story: one morning of an account's Braket use, delivered as Braket and CloudTrail would.

Tasks on four devices in four regions, a hybrid job and its tasks, a QPU that goes offline while
tasks wait on it, and the CloudTrail records of who created and cancelled what (one early, one
late, one never). Each step is one EventBridge delivery, built with the story's values by the
development kit's builders (``task_monitor_devkit.builders``). Before it, the Braket emulator is set to
what GetQuantumTask or GetJob would say at that moment, so a late event meets a task that has
moved on. ``demo_timeline()`` is every delivery in order; ``demo_steps()`` its task events only.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from task_monitor_devkit.braket_emulator import BraketEmulator
from task_monitor_devkit.builders.api_call import (
    api_call,
    assumed_role,
    cancel_task_call,
    create_task_call,
    iam_user,
    refused_create_task_call,
)
from task_monitor_devkit.builders.device import ANKAA as ANKAA_ARN
from task_monitor_devkit.builders.device import DEVICE_STATUS, QPU_STATUS, device_event
from task_monitor_devkit.builders.job import job_description, job_event
from task_monitor_devkit.builders.spending_limit import spend_event
from task_monitor_devkit.builders.task import ACCOUNT, description, task_event
from task_monitor_devkit.builders.task import FORTE as FORTE_ARN
from task_monitor_devkit.builders.task import GARNET as GARNET_ARN
from task_monitor_devkit.builders.task import SV1 as SV1_ARN


class Delivery(Protocol):
    """One EventBridge delivery of the story, and what Braket would answer when it arrives."""

    @property
    def note(self) -> str: ...

    @property
    def brief(self) -> bool: ...  # its email is shown by subject only (a routine one, like the one before)

    def event(self) -> dict[str, Any]: ...

    def prepare(self, braket: BraketEmulator) -> None: ...


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
    brief: bool = False

    def prepare(self, braket: BraketEmulator) -> None:
        """Braket's view of the task when this event arrives."""
        braket.put_task(self.description())
        if self.not_found_calls:
            braket.hide_task(self.task.arn, calls=self.not_found_calls)

    def event(self) -> dict[str, Any]:
        return task_event(
            self.status,
            arn=self.task.arn,
            device=self.task.device_arn,
            shots=str(self.task.shots),  # a string, as in real events
            time=self.time,
            created_at=self.task.created_at,
            ended_at=self.braket_now.get("endedAt", self.time),
        )

    def description(self) -> dict[str, Any]:
        """GetQuantumTask's answer (JSON wire form) at the time of this delivery."""
        queue_info = {
            "queue": "QUANTUM_TASKS_QUEUE",
            "position": "None",
            "queuePriority": "Normal",
            "message": f"Task is in {self.status} status. AmazonBraket does not show queue position for this status.",
        }
        answer = description(
            self.braket_now.get("status", self.status),
            arn=self.task.arn,
            device=self.task.device_arn,
            **{"shots": self.task.shots, "createdAt": self.task.created_at, "queueInfo": queue_info, **self.task.extra},
        )
        for made_up in ("endedAt", "numSuccessfulShots"):  # the builder's; braket_now says when and how many
            answer.pop(made_up, None)
        answer.update(self.braket_now)
        return answer


FORTE = DemoTask(
    "forte-vqe",
    "us-east-1",
    FORTE_ARN,
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
    GARNET_ARN,
    500,
    "2026-11-20T09:05:10.004Z",
    {"tags": {"project": "ghz-scaling", "owner": "bob"}},
)
SV1_PROGRAM_SET = DemoTask(
    "sv1-program-set",
    "us-west-2",
    SV1_ARN,
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
    ANKAA_ARN,
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
FORTE_1 = FORTE_ARN
JOB_NAME = "vqe-h2-bond-sweep"
# Braket names a job's ARN by a UUID it makes up (job/<uuid>); the name is only in GetJob's answer.
JOB_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "braket-task-monitor-demo/job"))
JOB_ARN = f"arn:aws:braket:us-east-1:{ACCOUNT}:job/{JOB_ID}"
JOB_ROLE = "AmazonBraketJobsExecutionRole"
JOB_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service-role/{JOB_ROLE}"

# Who calls Braket (made up): alice and carol through a role, bob as an IAM user, and the job's own role.
ALICE = assumed_role("QuantumResearcher", "alice")
CAROL = assumed_role("QuantumResearcher", "carol")
BOB = iam_user("bob")
THE_JOB = assumed_role(JOB_ROLE, JOB_NAME, path="/service-role/")
SOURCE_IPS = {"alice": "198.51.100.23", "carol": "198.51.100.47", "bob": "192.0.2.15", JOB_NAME: "203.0.113.200"}


def _job_task(key: str, created_at: str) -> DemoTask:
    """One of the hybrid job's tasks: GetQuantumTask names the job (``jobArn``), and its queue priority."""
    return DemoTask(
        key,
        "us-east-1",
        FORTE_1,
        300,
        created_at,
        {
            "jobArn": JOB_ARN,
            "tags": {"project": "vqe-h2", "owner": "alice"},
            # A hybrid job's tasks wait in the task queue with priority over standalone tasks.
            "queueInfo": {"queue": "QUANTUM_TASKS_QUEUE", "position": "None", "queuePriority": "Priority"},
        },
    )


JOB_TASK_1 = _job_task("job-sweep-task-1", "2026-11-20T09:25:05.310Z")
JOB_TASK_2 = _job_task("job-sweep-task-2", "2026-11-20T09:27:45.862Z")
JOB_TASK = _job_task("job-sweep-task", "2026-11-20T09:30:00.900Z")
JOB_TASKS = (JOB_TASK_1, JOB_TASK_2, JOB_TASK)
ALICE_QAOA = DemoTask(
    "forte-qaoa",
    "us-east-1",
    FORTE_1,
    1000,
    "2026-11-20T10:05:00.640Z",
    {"tags": {"project": "qaoa-maxcut", "owner": "alice"}},
)


def _queued(position: str, priority: str = "Normal") -> dict[str, Any]:
    return {"queueInfo": {"queue": "QUANTUM_TASKS_QUEUE", "position": position, "queuePriority": priority}}


# -- the hybrid job ------------------------------------------------------------------------------
JOB_CREATED_AT = "2026-11-20T09:20:01.417Z"
JOB_STARTED_AT = "2026-11-20T09:24:39.120Z"
JOB_ENDED_AT = "2026-11-20T10:03:28.644Z"
# GetJob's events timeline as it grows (eventType, timeOfEvent, message)
_JOB_EVENTS = {
    "QUEUED": [("WAITING_FOR_PRIORITY", JOB_CREATED_AT, "Waiting for a priority slot on ionq/Forte-1")],
    "RUNNING": [
        ("QUEUED_FOR_EXECUTION", "2026-11-20T09:22:10.002Z", ""),
        ("STARTING_INSTANCE", "2026-11-20T09:22:11.540Z", ""),
        ("DOWNLOADING_DATA", "2026-11-20T09:24:02.911Z", ""),
        ("RUNNING", JOB_STARTED_AT, ""),
    ],
    "COMPLETED": [
        ("UPLOADING_RESULTS", "2026-11-20T10:03:20.118Z", ""),
        ("COMPLETED", JOB_ENDED_AT, "Bond sweep converged after 3 of 5 bond lengths"),
    ],
}


@dataclass(frozen=True)
class JobStep:
    """A ``Braket Job State Change`` delivery; GetJob answers with the job as it is at that moment."""

    status: str
    time: str
    note: str = ""
    brief: bool = False

    def prepare(self, braket: BraketEmulator) -> None:
        braket.put_job(self.description())

    def event(self) -> dict[str, Any]:
        return job_event(
            self.status,
            arn=JOB_ARN,
            time=self.time,
            created_at=JOB_CREATED_AT,
            started_at=JOB_STARTED_AT,
            ended_at=JOB_ENDED_AT,
        )

    def description(self) -> dict[str, Any]:
        """GetJob's answer (JSON wire form) at the time of this delivery."""
        events: list[dict[str, Any]] = []
        for status in ("QUEUED", "RUNNING", "COMPLETED"):
            events += [
                {"eventType": kind, "timeOfEvent": when, **({"message": message} if message else {})}
                for kind, when, message in _JOB_EVENTS[status]
            ]
            if status == self.status:
                break
        bucket = f"s3://amazon-braket-us-east-1-{ACCOUNT}/jobs/{JOB_NAME}"
        answer = job_description(
            self.status,
            arn=JOB_ARN,
            name=JOB_NAME,
            created_at=JOB_CREATED_AT,
            started_at=JOB_STARTED_AT,
            ended_at=JOB_ENDED_AT,
            roleArn=JOB_ROLE_ARN,
            algorithmSpecification={
                "scriptModeConfig": {
                    "entryPoint": "vqe.bond_sweep:main",
                    "s3Uri": f"{bucket}/script/source.tar.gz",
                    "compressionType": "GZIP",
                }
            },
            hyperParameters={"bond_lengths": "0.5,0.6,0.7,0.74,0.8", "shots": "300"},
            stoppingCondition={"maxRuntimeInSeconds": 14400},
            deviceConfig={"device": FORTE_1},
            events=events,
        )
        for absent in ("inputDataConfig", "checkpointConfig"):  # this job has neither
            del answer[absent]
        if self.status == "QUEUED":
            answer["queueInfo"]["position"] = "1"
        if "billableDuration" in answer:
            answer["billableDuration"] = 2329524  # as GetJob reports it (no unit documented)
        return answer


# -- the device ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceStep:
    """A device availability event; Braket is not asked anything about it."""

    device_arn: str
    status: str
    time: str
    detail_type: str = DEVICE_STATUS
    note: str = ""
    brief: bool = False

    def prepare(self, braket: BraketEmulator) -> None:
        pass

    def event(self) -> dict[str, Any]:
        if self.detail_type == QPU_STATUS:
            # The other name: the ARN only in resources, the status as deviceStatus (both tolerated)
            return device_event(
                self.status,
                arn=self.device_arn,
                detail_type=QPU_STATUS,
                time=self.time,
                status_field="deviceStatus",
                arn_in_detail=False,
            )
        return device_event(self.status, arn=self.device_arn, detail_type=self.detail_type, time=self.time)


# -- the API calls, from CloudTrail ----------------------------------------------------------------
@dataclass(frozen=True)
class CallStep:
    """A Braket API call CloudTrail recorded (``AWS API Call via CloudTrail``); nothing to emulate."""

    call: dict[str, Any]
    note: str = ""
    brief: bool = False

    def prepare(self, braket: BraketEmulator) -> None:
        pass

    def event(self) -> dict[str, Any]:
        return copy.deepcopy(self.call)


def _from(identity: dict[str, Any], call: dict[str, Any]) -> dict[str, Any]:
    """The call as made by this person (their source IP address)."""
    session = identity.get("userName") or identity["arn"].rsplit("/", 1)[-1]
    call["detail"]["sourceIPAddress"] = SOURCE_IPS[session]
    return call


def created(task: DemoTask, identity: dict[str, Any], at: str, note: str = "") -> CallStep:
    """CreateQuantumTask for ``task`` (from inside the job when the identity is the job's role)."""
    call = create_task_call(task.arn, identity=identity, event_time=at, job_token=identity is THE_JOB)
    parameters = call["detail"]["requestParameters"]
    parameters.update(
        deviceArn=task.device_arn,
        shots=task.shots,
        outputS3Bucket=f"amazon-braket-{task.region}-{ACCOUNT}",
        outputS3KeyPrefix="tasks",
        tags=task.extra.get("tags", {}),
    )
    return CallStep(_from(identity, call), note)


def cancelled(task: DemoTask, identity: dict[str, Any], at: str, note: str = "") -> CallStep:
    return CallStep(_from(identity, cancel_task_call(task.arn, identity=identity, event_time=at)), note)


def job_created(identity: dict[str, Any], at: str, note: str = "") -> CallStep:
    queued = JobStep("QUEUED", at).description()
    call = api_call(
        "CreateJob",
        identity=identity,
        request_parameters={
            "clientToken": str(uuid.uuid5(uuid.NAMESPACE_URL, f"client-token/{JOB_ARN}")),
            **{
                name: queued[name]
                for name in (
                    "jobName",
                    "roleArn",
                    "algorithmSpecification",
                    "hyperParameters",
                    "instanceConfig",
                    "deviceConfig",
                    "outputDataConfig",
                    "stoppingCondition",
                    "tags",
                )
            },
        },
        response_elements={"jobArn": JOB_ARN},
        event_time=at,
        region="us-east-1",
    )
    return CallStep(_from(identity, call), note)


@dataclass(frozen=True)
class EventStep:
    """An event Braket sends that asks nothing of the emulator (a spending limit's spend change)."""

    raw: dict[str, Any]
    note: str = ""
    brief: bool = False

    def prepare(self, braket: BraketEmulator) -> None:
        pass

    def event(self) -> dict[str, Any]:
        return copy.deepcopy(self.raw)


# The demo's spending limit on Forte-1 (November 2026, epoch milliseconds as Braket sends them), and a
# monthly budget for the vqe-h2 project: what `make demo` shows crossing, refusing and alerting.
SPENDING_LIMIT_ARN = f"arn:aws:braket:us-east-1:{ACCOUNT}:spending-limit/3f0c2a9e-5b7d-4e61-8a2f-9c4d1e6b7a50"
SPENDING_LIMIT_USD = "150.00"
NOVEMBER_2026_MS = (1_793_491_200_000, 1_796_083_200_000)
DEMO_BUDGETS = [
    {"name": "vqe-h2", "by": "tag", "match": "project=vqe-h2", "monthlyUsd": "180", "thresholds": [50, 80, 100]}
]


def demo_settings() -> dict[str, str]:
    """The function's settings the demo adds to the defaults: its budget."""
    return {"BUDGETS": json.dumps(DEMO_BUDGETS)}


def spend(total: str, queued: str, task: DemoTask, at: str, note: str = "") -> EventStep:
    """Braket's ``Spending Limit Spend Change`` for the demo's Forte-1 limit, moved by ``task``."""
    event = spend_event(
        total,
        limit=SPENDING_LIMIT_USD,
        queued=queued,
        arn=SPENDING_LIMIT_ARN,
        period=NOVEMBER_2026_MS,
        task=task.arn,
        device=task.device_arn,
        time=at,
    )
    return EventStep(event, note)


def refused(identity: dict[str, Any], shots: int, current_spend: str, at: str, note: str = "") -> CallStep:
    """A CreateQuantumTask on Forte-1 that the spending limit refused (Braket's message, as AWS shows it)."""
    estimate = Decimal("0.30") + Decimal("0.08") * shots
    message = (
        "Attempted to spend over the spending limit or outside the spending limit time window. "
        f"Spending limit: {int(Decimal(SPENDING_LIMIT_USD))}, current spend: {current_spend}, "
        f"estimated cost: {estimate:.10f}, time window: 2026-11-01T00:00:00Z to 2026-12-01T00:00:00Z"
    )
    call = refused_create_task_call(identity=identity, message=message, device_arn=FORTE_1)
    call["detail"]["requestParameters"]["shots"] = shots
    call["detail"]["eventTime"] = at
    call["time"] = at
    return CallStep(_from(identity, call), note)


def _job_task_steps(
    task: DemoTask, queued: str, running: str, completed: str, ended_at: str, *, note: str = ""
) -> list[Delivery]:
    """A job's task from its creation (by the job's role) to its completion; times of the day, UTC."""
    day = task.created_at[:11]
    return [
        created(task, THE_JOB, task.created_at[:19] + "Z", note),
        Step(task, "QUEUED", f"{day}{queued}Z", braket_now=_queued("0", priority="Priority")),
        Step(task, "RUNNING", f"{day}{running}Z"),
        Step(
            task,
            "COMPLETED",
            f"{day}{completed}Z",
            braket_now={"endedAt": f"{day}{ended_at}Z", "numSuccessfulShots": task.shots},
            brief=True,  # routine: its email by subject only
        ),
    ]


def demo_timeline() -> list[Delivery]:
    """Every delivery in the order it arrives: task, job, device and API-call events, duplicates and
    late ones included."""
    timeline: list[Delivery] = [
        created(FORTE, ALICE, "2026-11-20T09:00:01Z", "CloudTrail's record of the call comes before the task's"),
        Step(
            FORTE,
            "CREATED",
            "2026-11-20T09:00:02Z",
            "GetQuantumTask finds the new task on the second try",
            not_found_calls=1,
        ),
        Step(GARNET, "QUEUED", "2026-11-20T09:05:11Z", braket_now=_queued("3")),
        created(GARNET, BOB, "2026-11-20T09:05:10Z"),
        Step(SV1_PROGRAM_SET, "QUEUED", "2026-11-20T09:10:01Z", braket_now=_queued("0")),
        Step(SV1_PROGRAM_SET, "RUNNING", "2026-11-20T09:10:02Z"),
        Step(
            SV1_PROGRAM_SET,
            "COMPLETED",
            "2026-11-20T09:10:09Z",
            "CloudTrail has not delivered its CreateQuantumTask yet",
            braket_now={"endedAt": "2026-11-20T09:10:08.730Z", "numSuccessfulShots": 100},
        ),
        created(
            SV1_PROGRAM_SET,
            CAROL,
            "2026-11-20T09:10:00Z",
            "the call arrives after the task ended: joined onto its record, the email has gone",
        ),
        # The hybrid job: alice creates it; its own role creates its tasks.
        JobStep("QUEUED", "2026-11-20T09:20:03Z", "alice's hybrid job waits for Forte-1"),
        job_created(ALICE, "2026-11-20T09:20:00Z"),
        JobStep("RUNNING", "2026-11-20T09:24:40Z"),
        *_job_task_steps(
            JOB_TASK_1, "09:25:06", "09:25:41", "09:27:31", "09:27:30.204", note="the job's own role creates its tasks"
        ),
        *_job_task_steps(JOB_TASK_2, "09:27:46", "09:28:10", "09:29:52", "09:29:51.077"),
        created(JOB_TASK, THE_JOB, "2026-11-20T09:30:00Z"),
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
        Step(JOB_TASK, "CANCELLING", "2026-11-20T10:02:15Z", "the sweep has converged: the job cancels its last task"),
        cancelled(JOB_TASK, THE_JOB, "2026-11-20T10:02:14Z"),
        Step(JOB_TASK, "CANCELLED", "2026-11-20T10:02:19Z", braket_now={"endedAt": "2026-11-20T10:02:18.101Z"}),
        JobStep("COMPLETED", "2026-11-20T10:03:30Z", "the job's end: one email with the roll-up of its tasks"),
        Step(
            ANKAA_RESERVATION,
            "COMPLETED",
            "2026-11-20T10:04:31Z",
            "its CreateQuantumTask never reaches us: created by unknown",
            braket_now={"endedAt": "2026-11-20T10:04:30.552Z", "numSuccessfulShots": 2000},
        ),
        created(ALICE_QAOA, ALICE, "2026-11-20T10:05:00Z"),
        Step(ALICE_QAOA, "QUEUED", "2026-11-20T10:05:01Z", braket_now=_queued("4")),
        DeviceStep(FORTE_1, "OFFLINE", "2026-11-20T10:20:00Z", note="two of our tasks wait on Forte-1"),
        Step(ALICE_QAOA, "CANCELLING", "2026-11-20T10:48:01Z", "bob cancels alice's task while Forte-1 is down"),
        cancelled(ALICE_QAOA, BOB, "2026-11-20T10:48:00Z"),
        Step(ALICE_QAOA, "CANCELLED", "2026-11-20T10:48:04Z", braket_now={"endedAt": "2026-11-20T10:48:03.377Z"}),
        DeviceStep(FORTE_1, "ONLINE", "2026-11-20T11:38:00Z", QPU_STATUS, "back, under the other name"),
        DeviceStep(
            FORTE_1, "ONLINE", "2026-11-20T11:38:02Z", note="the same news under the first name: no change, no email"
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
    completed = timeline[-1]
    assert isinstance(completed, Step)
    timeline.append(
        Step(FORTE, "COMPLETED", completed.time, "the same event delivered twice", braket_now=completed.braket_now)
    )
    timeline += [
        spend(
            "128.90",
            "0.00",
            FORTE,
            "2026-11-20T11:43:41Z",
            "Forte-1's spending limit: total spend reaches 86 % of $150: one message for 80 % (and 50 %)",
        ),
        spend("48.60", "80.30", JOB_TASK_2, "2026-11-20T09:29:53Z", "a late spend event: lower, announces nothing"),
        refused(
            ALICE,
            2000,
            "128.9",
            "2026-11-20T11:50:00Z",
            "alice asks Forte-1 for 2000 shots: the spending limit refuses it, and we say so",
        ),
    ]
    return timeline


def demo_steps() -> list[Step]:
    """The story's task events only, in the order they arrive (duplicates and a late one included)."""
    return [step for step in demo_timeline() if isinstance(step, Step)]


def invalid_event() -> dict[str, Any]:
    """A malformed event (shots is not a number): rejected, and kept for replay."""
    event = Step(FORTE, "COMPLETED", "2026-11-20T11:50:00Z").event()
    event["id"] = "0badc0de-0000-4000-8000-000000000000"
    event["detail"]["shots"] = "lots"
    return event
