"""Teach the Braket emulator what an event says about its task or job, so replaying a file on the
embedded AWS enriches it as Braket would have (GetQuantumTask, GetJob answered from the event)."""

from __future__ import annotations

import contextlib
from typing import Any

from task_monitor.domain import registry
from task_monitor.domain.arns import parse_job_arn


def teach_emulator(aws: Any, event: Any) -> None:
    """Braket answers with what the event itself says: a task event's task, a job event's job.
    CloudTrail calls and device events ask Braket nothing."""
    detail = event.get("detail") if isinstance(event, dict) else None
    if not isinstance(detail, dict):
        return
    if event.get("detail-type") == "Braket Job State Change":
        teach_job(aws, event, detail)
        return
    if not isinstance(detail.get("quantumTaskArn"), str):
        return
    description = {
        key: detail[key]
        for key in (
            "quantumTaskArn",
            "status",
            "deviceArn",
            "outputS3Bucket",
            "outputS3Directory",
            "createdAt",
            "endedAt",
        )
        if isinstance(detail.get(key), str)
    }
    shots = str(detail.get("shots", ""))
    description["shots"] = int(shots) if shots.isdigit() else 0
    description.setdefault("deviceParameters", "{}")
    aws.braket.put_task(description)


def teach_job(aws: Any, event: dict[str, Any], detail: dict[str, Any]) -> None:
    """GetJob's answer from a job event: its ARN (the detail's, else the one in resources), status and
    times; what GetJob must return and the event does not say is left empty (no role, no instance)."""
    arn = detail.get("jobArn")
    if not isinstance(arn, str):
        jobs = [r for r in event.get("resources") or [] if isinstance(r, str) and _is_job_arn(r)]
        arn = jobs[0] if len(jobs) == 1 else None
    status = detail.get("status")
    if not isinstance(arn, str) or not isinstance(status, str):
        return  # the handler will say what is wrong with it
    description: dict[str, Any] = {
        "jobArn": arn,
        "status": status,
        "createdAt": detail.get("createdAt") if isinstance(detail.get("createdAt"), str) else event.get("time"),
        "roleArn": "",
        "algorithmSpecification": {},
        "instanceConfig": {},
        "outputDataConfig": {},
    }
    # GetJob always answers with the job's name (a required field), which the emulator knows only from the
    # event or an older ARN that ends in it; else it says "job-<short id>", a stand-in, never the UUID.
    job = parse_job_arn(arn)
    named = detail.get("jobName") if isinstance(detail.get("jobName"), str) else (job.name_in_arn if job else None)
    description["jobName"] = named or f"job-{job.short_id if job else arn.rsplit('/', 1)[-1][:8]}"
    for name in ("startedAt", "endedAt", "failureReason"):
        if isinstance(detail.get(name), str):
            description[name] = detail[name]
    device = detail.get("deviceArn", detail.get("device"))
    if isinstance(device, str):
        description["deviceConfig"] = {"device": device}
    # Not something GetJob could answer (a malformed time, an ARN that is not a job's): GetJob says not found
    with contextlib.suppress(ValueError, TypeError):
        aws.braket.put_job(description)


def _is_job_arn(arn: str) -> bool:
    kind = registry.kind_of_arn(arn)
    return kind is not None and kind.name == registry.JOB.name
