"""Shared fixtures. No test reaches AWS: credentials are fake and every service is in-process."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.mutations import Mutation, apply_from_environment

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

_MUTATION = pytest.StashKey[tuple[Mutation, pytest.MonkeyPatch] | None]()


def pytest_configure(config: pytest.Config) -> None:
    """``TASK_MONITOR_MUTATION=<name>``: plant that bug before any test runs (``tests/mutations.py``)."""
    config.stash[_MUTATION] = apply_from_environment()


def pytest_unconfigure(config: pytest.Config) -> None:
    applied = config.stash.get(_MUTATION, None)
    if applied is not None:
        applied[1].undo()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Said even under -q, so the mutation check can tell the mutation was there."""
    applied = config.stash.get(_MUTATION, None)
    if applied is not None:
        terminalreporter.write_line(f"MUTATION APPLIED: {applied[0].name} ({applied[0].bug})")


@pytest.fixture(autouse=True)
def _fresh_metrics() -> None:
    """The function keeps one metric set per process (observability.metrics); a test that adds metrics
    without flushing them (the CLI's replay, say) must not leave them for the next test's EMF line to carry."""
    observability = sys.modules.get("task_monitor.observability")
    if observability is not None:
        observability.metrics.clear_metrics()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make every retry backoff instant, and record how long each would have been."""
    recorded: list[float] = []
    monkeypatch.setattr("time.sleep", recorded.append)
    return recorded


@pytest.fixture
def embedded(sleeps: list[float]):
    """The embedded AWS with the real handler loaded (a cold start per test)."""
    from task_monitor_devkit.embedded import EmbeddedAws

    with EmbeddedAws() as aws:
        aws.load_handler()
        yield aws


# Property tests are reproducible: the same examples on every run and machine, no example database
# (pytest runs with -p no:cacheprovider; nothing is written beside the tests), no wall-clock deadline
# (an example runs the real handler against moto, whose speed varies with the machine's load).
# HYPOTHESIS_PROFILE=explore draws new examples, for a local hunt.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("explore", parent=settings.get_profile("ci"), derandomize=False)
# The mutation check wants to know whether a test fails, not the smallest failing example: no shrinking.
settings.register_profile(
    "mutation", parent=settings.get_profile("ci"), phases=[Phase.explicit, Phase.reuse, Phase.generate]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
