"""Reading a simulator's executionDuration from its result object (moto's S3): the number, or why not."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from task_monitor.adapters.simulator_results import S3SimulatorDurations

BUCKET = "amazon-braket-us-east-1-123456789012"
DIRECTORY = "tasks/5b0e7a8c-3f41-4a52-9d6e-1c2b3a4d5e6f"


@pytest.fixture
def s3(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def _put(s3, body: object, directory: str = DIRECTORY) -> None:
    text = body if isinstance(body, str) else json.dumps(body)
    s3.put_object(Bucket=BUCKET, Key=f"{directory}/results.json", Body=text.encode())


def test_the_duration_is_read_from_the_result_objects_metadata(s3) -> None:
    _put(s3, {"measurements": [[0, 1]] * 10, "additionalMetadata": {"simulatorMetadata": {"executionDuration": 1234}}})
    made = []
    durations = S3SimulatorDurations(lambda: made.append(1) or s3)
    assert made == []  # no client until the first completed simulator task
    assert durations.execution_ms(BUCKET, DIRECTORY + "/") == (1234, None)
    assert durations.execution_ms(BUCKET, DIRECTORY) == (1234, None)
    assert made == [1]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (None, "NoSuchKey"),
        ("not json", "has no additionalMetadata.simulatorMetadata.executionDuration"),
        ({"additionalMetadata": {}}, "has no additionalMetadata.simulatorMetadata.executionDuration"),
        ({"additionalMetadata": {"simulatorMetadata": {"executionDuration": "12"}}}, "is not a whole number"),
        ({"additionalMetadata": {"simulatorMetadata": {"executionDuration": True}}}, "is not a whole number"),
    ],
)
def test_an_unreadable_duration_says_why_and_never_raises(s3, body, why) -> None:
    if body is not None:
        _put(s3, body)
    duration, reason = S3SimulatorDurations(lambda: s3).execution_ms(BUCKET, DIRECTORY)
    assert duration is None
    assert reason is not None and why in reason and f"s3://{BUCKET}/{DIRECTORY}/results.json" in reason


def test_a_result_larger_than_the_limit_is_not_read_whole(s3) -> None:
    _put(s3, {"additionalMetadata": {"simulatorMetadata": {"executionDuration": 5}}, "padding": "x" * 5000})
    duration, reason = S3SimulatorDurations(lambda: s3, max_bytes=1000).execution_ms(BUCKET, DIRECTORY)
    assert duration is None and "larger than 1000 bytes" in reason  # type: ignore[operator]


def test_a_missing_bucket_is_a_reason_not_an_error(s3) -> None:
    duration, reason = S3SimulatorDurations(lambda: s3).execution_ms("no-such-bucket-here", DIRECTORY)
    assert duration is None and "NoSuchBucket" in reason  # type: ignore[operator]
