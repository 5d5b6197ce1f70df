"""Hybrid job state changes (``Braket Job State Change``) and GetJob answers, in the shapes
docs/braket-events.md records.

Only ``jobArn`` and ``status`` of a job event are seen in public code; the other detail fields here
are our guesses, so tests build events both with and without each of them (``minimal=True``).

A job's ARN ends in a UUID Braket makes up (``job/<uuid>``), not in the job's name (older ARNs did:
``job/<name>``): the name is only in GetJob's ``jobName`` (and ``detail.jobName`` if an event carries
it), so these builders never derive one from the other.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from task_monitor_devkit.builders.task import ACCOUNT, FORTE, description, task_arn, task_event

JOB_NAME = "vqe-h2-run-7"
JOB_ID = "5f3c9e1a-7b2d-4c8e-a64f-0d9b3e7a12c5"
JOB_REGION = "us-east-1"
JOB_ARN = f"arn:aws:braket:{JOB_REGION}:{ACCOUNT}:job/{JOB_ID}"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/BraketJobRole"
JOB_CREATED_AT = "2026-11-23T15:40:02.517Z"
JOB_STARTED_AT = "2026-11-23T15:44:39.208Z"
JOB_ENDED_AT = "2026-11-23T16:02:10.954Z"
JOB_EVENT_TIMES = {
    "QUEUED": "2026-11-23T15:40:03Z",
    "RUNNING": "2026-11-23T15:44:40Z",
    "CANCELLING": "2026-11-23T15:59:00Z",
    "COMPLETED": "2026-11-23T16:02:11Z",
    "FAILED": "2026-11-23T16:02:11Z",
    "CANCELLED": "2026-11-23T16:02:11Z",
}
JOB_TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
SECRET_HYPERPARAMETER = "s3cr3t-db-password-do-not-store"


def job_id_for(seed: str) -> str:
    """A job id as Braket makes them (a UUID), the same for the same ``seed``: another job in a test."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"braket-task-monitor-test-job/{seed}"))


def job_arn(job_id: str = JOB_ID, region: str = JOB_REGION) -> str:
    """The ARN of a job: ``job_id`` is taken as it is, so a test can also make an invalid one."""
    return f"arn:aws:braket:{region}:{ACCOUNT}:job/{job_id}"


def job_event(
    status: str = "COMPLETED",
    *,
    arn: str = JOB_ARN,
    time: str | None = None,
    event_id: str | None = None,
    minimal: bool = False,
    created_at: str = JOB_CREATED_AT,
    started_at: str = JOB_STARTED_AT,
    ended_at: str = JOB_ENDED_AT,
    **detail_overrides: Any,
) -> dict[str, Any]:
    """A ``Braket Job State Change`` event; ``minimal`` keeps only jobArn and status (all that is known).
    ``started_at`` is left out while QUEUED, ``ended_at`` until the job ends."""
    time = time or JOB_EVENT_TIMES.get(status, "2026-11-23T17:00:00Z")
    detail: dict[str, Any] = {"jobArn": arn, "status": status}
    if not minimal:
        detail["createdAt"] = created_at
        if status != "QUEUED":
            detail["startedAt"] = started_at
        if status in JOB_TERMINAL:
            detail["endedAt"] = ended_at
    detail.update(detail_overrides)
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}/{status}/{time}")),
        "detail-type": "Braket Job State Change",
        "source": "aws.braket",
        "account": ACCOUNT,
        "time": time,
        "region": arn.split(":")[3],
        "resources": [arn],
        "detail": detail,
    }


def job_description(
    status: str = "COMPLETED",
    *,
    arn: str = JOB_ARN,
    name: str = JOB_NAME,
    created_at: str = JOB_CREATED_AT,
    started_at: str = JOB_STARTED_AT,
    ended_at: str = JOB_ENDED_AT,
    **fields: Any,
) -> dict[str, Any]:
    """GetJob's answer in JSON wire form, with every field the monitor reads (``fields`` replace them)."""
    answer: dict[str, Any] = {
        "jobArn": arn,
        "jobName": name,
        "status": status,
        "roleArn": ROLE_ARN,
        "createdAt": created_at,
        "algorithmSpecification": {
            "scriptModeConfig": {
                "entryPoint": "vqe.run:main",
                "s3Uri": f"s3://amazon-braket-{JOB_REGION}-{ACCOUNT}/jobs/{name}/script/source.tar.gz",
                "compressionType": "GZIP",
            }
        },
        "hyperParameters": {"learning_rate": "0.01", "db_password": SECRET_HYPERPARAMETER},
        "inputDataConfig": [
            {
                "channelName": "molecule",
                "contentType": "application/json",
                "dataSource": {"s3DataSource": {"s3Uri": f"s3://research-{ACCOUNT}/molecules/h2.json"}},
            }
        ],
        "outputDataConfig": {"s3Path": f"s3://amazon-braket-{JOB_REGION}-{ACCOUNT}/jobs/{name}/output"},
        "stoppingCondition": {"maxRuntimeInSeconds": 432000},
        "checkpointConfig": {"s3Uri": f"s3://amazon-braket-{JOB_REGION}-{ACCOUNT}/jobs/{name}/checkpoints"},
        "instanceConfig": {"instanceType": "ml.m5.large", "volumeSizeInGb": 30, "instanceCount": 1},
        "deviceConfig": {"device": FORTE},
        "tags": {"project": "vqe-h2", "owner": "alice"},
        "queueInfo": {
            "queue": "JOBS_QUEUE",
            "position": "3" if status == "QUEUED" else "None",
            **({} if status == "QUEUED" else {"message": f"Job is in {status} status."}),
        },
        "associations": [],
        "events": [{"eventType": "WAITING_FOR_PRIORITY", "timeOfEvent": created_at, "message": "queued"}],
    }
    if status != "QUEUED":
        answer["startedAt"] = started_at
        answer["events"].append({"eventType": "RUNNING", "timeOfEvent": started_at})
    if status in JOB_TERMINAL:
        answer["endedAt"] = ended_at
        answer["billableDuration"] = 1051746
        answer["events"].append({"eventType": status, "timeOfEvent": ended_at})
    if status == "FAILED":
        answer["failureReason"] = "AlgorithmError: ModuleNotFoundError: No module named 'scipy'"
    answer.update(fields)
    return copy.deepcopy(answer)


def job_task_arn(number: int) -> str:
    return task_arn(task_id=f"{number:08d}-0000-4000-8000-00000000a11b")


def job_task_description(number: int, status: str = "COMPLETED", **fields: Any) -> dict[str, Any]:
    """GetQuantumTask's answer for one of the job's tasks: it names the job (``jobArn``)."""
    return description(status, arn=job_task_arn(number), jobArn=JOB_ARN, **fields)


def job_task_events(number: int, final: str = "COMPLETED") -> list[dict[str, Any]]:
    arn = job_task_arn(number)
    return [task_event(status, arn=arn) for status in ("CREATED", "QUEUED", "RUNNING", final)]
