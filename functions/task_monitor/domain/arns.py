"""Reading Braket ARNs: which region a task lives in, and who made a device.

Every ARN an event hands over is read here, and none longer than Braket's own limit is read at all:
an ARN ends up in the audit table's keys, and DynamoDB refuses a key over 2,048 bytes, so an
over-long one must be rejected as invalid before anything is written, not refused on every retry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Braket's API model bounds DeviceArn and QuantumTaskArn at 256 characters; a job ARN (a name of at
# most 50) is shorter still. So no real ARN is longer, and a key built from one stays far below
# DynamoDB's limits (2,048 bytes for a partition key, 1,024 for a sort key).
MAX_ARN_CHARACTERS = 256

# Regions where Amazon Braket runs quantum tasks and hybrid jobs (late 2026). Braket sends events only
# to the default bus of their own region: the stacks put a rule in each, the backfill searches each.
BRAKET_REGIONS = ("us-east-1", "us-west-1", "us-west-2", "eu-west-2", "eu-north-1")

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


_UUID = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"


@dataclass(frozen=True)
class JobArn:
    arn: str
    partition: str
    region: str
    account: str
    # The ARN's last part: a UUID for jobs made today, the job's name in older ARNs. Never show it as
    # a name without asking ``name_in_arn``.
    name: str

    @property
    def name_in_arn(self) -> str | None:
        """The job's name when the ARN carries one (older ARNs); None when it ends in a UUID."""
        return None if is_uuid(self.name) else self.name

    @property
    def short_id(self) -> str:
        """The first 8 characters of the ARN's last part, as tasks are shortened: ``acc51817``."""
        return self.name[:8]


@dataclass(frozen=True)
class DeviceArn:
    arn: str
    region: str | None
    kind: str  # "qpu" or "quantum-simulator"
    provider: str
    name: str

    @property
    def label(self) -> str:
        return device_label(self.provider, self.name)


def device_label(provider: str, name: str) -> str:
    """The short name people use for a device: "ionq/Forte-1", "amazon/sv1"."""
    return f"{provider}/{name}"


def record_device_label(record: Mapping[str, Any]) -> str:
    """The device label of a task's or device's record (its ``deviceProvider`` and ``deviceName``)."""
    return device_label(str(record["deviceProvider"]), str(record["deviceName"]))


def is_within_limit(value: str) -> bool:
    """True when ``value`` is no longer than any Braket ARN can be."""
    return len(value) <= MAX_ARN_CHARACTERS


def parse_task_arn(value: str) -> TaskArn | None:
    if not is_within_limit(value):
        return None
    match = _TASK_ARN.fullmatch(value)  # not match: $ also matches before a final newline
    if not match:
        return None
    return TaskArn(arn=value, **match.groupdict())


@functools.cache
def _job_arn_pattern() -> re.Pattern[str]:
    return re.compile(_JOB_ARN)


def parse_job_arn(value: str) -> JobArn | None:
    if not is_within_limit(value):
        return None
    match = _job_arn_pattern().fullmatch(value)
    if not match:
        return None
    return JobArn(arn=value, **match.groupdict())


def is_uuid(value: str) -> bool:
    """True for a UUID in its usual 8-4-4-4-12 hexadecimal form."""
    return _uuid_pattern().fullmatch(value) is not None


@functools.cache
def _uuid_pattern() -> re.Pattern[str]:
    return re.compile(_UUID)


def parse_device_arn(value: str) -> DeviceArn | None:
    if not is_within_limit(value):
        return None
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
