"""Reading Braket ARNs: which region a task lives in, and who made a device."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_TASK_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):braket:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):"
    r"(?P<account>\d{12}):quantum-task/(?P<task_id>[A-Za-z0-9][A-Za-z0-9-]{0,127})$"
)
# Hybrid jobs: the id is a UUID Braket makes up; older ARNs end in the job's name (CreateJob's jobName)
# instead. Compiled on first use: only job events and CloudTrail calls need it, so task events' cold
# start does not pay.
_JOB_ARN = (
    r"^arn:(?P<partition>aws[a-z-]*):braket:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):"
    r"(?P<account>\d{12}):job/(?P<name>[A-Za-z0-9][A-Za-z0-9-]{0,127})$"
)
# Devices: QPUs name their region (arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1),
# simulators do not (arn:aws:braket:::device/quantum-simulator/amazon/sv1).
_DEVICE_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):braket:(?P<region>[a-z0-9-]*):(?P<account>\d{12})?:"
    r"device/(?P<kind>[a-z-]+)/(?P<provider>[A-Za-z0-9._-]+)/(?P<name>[A-Za-z0-9._-]+)$"
)


@dataclass(frozen=True)
class TaskArn:
    arn: str
    partition: str
    region: str
    account: str
    task_id: str


@dataclass(frozen=True)
class JobArn:
    arn: str
    partition: str
    region: str
    account: str
    name: str


@dataclass(frozen=True)
class DeviceArn:
    arn: str
    region: str | None
    kind: str  # "qpu" or "quantum-simulator"
    provider: str
    name: str

    @property
    def label(self) -> str:
        """Short name people use: "ionq/Forte-1", "amazon/sv1"."""
        return f"{self.provider}/{self.name}"


def parse_task_arn(value: str) -> TaskArn | None:
    match = _TASK_ARN.fullmatch(value)  # not match: $ also matches before a final newline
    if not match:
        return None
    return TaskArn(arn=value, **match.groupdict())


@functools.cache
def _job_arn_pattern() -> re.Pattern[str]:
    return re.compile(_JOB_ARN)


def parse_job_arn(value: str) -> JobArn | None:
    match = _job_arn_pattern().fullmatch(value)
    if not match:
        return None
    return JobArn(arn=value, **match.groupdict())


def parse_device_arn(value: str) -> DeviceArn | None:
    match = _DEVICE_ARN.fullmatch(value)
    if not match:
        return None
    return DeviceArn(
        arn=value,
        region=match["region"] or None,
        kind=match["kind"],
        provider=match["provider"],
        name=match["name"],
    )
