"""Reading Braket ARNs: the shapes accepted, and nothing longer than Braket's own limit."""

from __future__ import annotations

import pytest

from task_monitor.domain.arns import MAX_ARN_CHARACTERS, parse_device_arn, parse_job_arn, parse_task_arn
from task_monitor_devkit.builders.job import JOB_ARN
from task_monitor_devkit.builders.task import TASK_ARN, long_device_arn, long_partition_arn

PARSERS = {"task": (parse_task_arn, TASK_ARN), "job": (parse_job_arn, JOB_ARN)}


def test_the_limit_is_braket_s_own() -> None:
    # botocore's Braket model: DeviceArn and QuantumTaskArn are at most 256 characters
    assert MAX_ARN_CHARACTERS == 256


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_a_task_or_job_arn_at_the_limit_is_read_and_one_past_it_is_not(kind: str) -> None:
    # Their partition and region had no bound of their own: a well-shaped ARN could be any length
    parse, arn = PARSERS[kind]
    at_limit, past_limit = long_partition_arn(arn, 256), long_partition_arn(arn, 257)
    assert parse(at_limit) is not None
    assert parse(past_limit) is None
    assert parse(long_partition_arn(arn, 2_142)) is None


@pytest.mark.parametrize("characters", [257, 442, 2_142])
def test_a_device_arn_longer_than_braket_allows_is_not_read(characters: int) -> None:
    assert parse_device_arn(long_device_arn(256)) is not None
    assert parse_device_arn(long_device_arn(characters)) is None
