"""Shared fixtures. No test reaches AWS: credentials are fake and every service is in-process."""

from __future__ import annotations

import os

import pytest

# Before anything creates a botocore session: fake credentials, no metadata lookups.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make every retry backoff instant, and record how long each would have been."""
    recorded: list[float] = []
    monkeypatch.setattr("time.sleep", recorded.append)
    return recorded


@pytest.fixture
def embedded(sleeps: list[float]):
    """The embedded AWS with the real handler loaded (a cold start per test)."""
    from task_monitor_cli.embedded import EmbeddedAws

    with EmbeddedAws() as aws:
        aws.load_handler()
        yield aws
