"""SPENDING_LIMIT_THRESHOLDS: from cdk.json's spendingLimitThresholds to the function, checked again there."""

from __future__ import annotations

import pytest

from task_monitor.errors import ConfigurationError
from task_monitor.settings import Settings

BASE = {
    "AUDIT_TABLE_NAME": "braket-task-audit",
    "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:braket-task-notifications",
}


def test_unset_the_thresholds_are_50_80_100() -> None:
    assert Settings.from_environment(BASE).spending_limit_thresholds == (50, 80, 100)


def test_given_thresholds_are_read_sorted_and_once() -> None:
    settings = Settings.from_environment({**BASE, "SPENDING_LIMIT_THRESHOLDS": "90, 25,90"})
    assert settings.spending_limit_thresholds == (25, 90)


@pytest.mark.parametrize("text", ["0", "101", "half", "50,,80", "-5", "7.5"])
def test_a_bad_threshold_fails_the_cold_start_naming_the_setting(text: str) -> None:
    with pytest.raises(ConfigurationError, match="SPENDING_LIMIT_THRESHOLDS"):
        Settings.from_environment({**BASE, "SPENDING_LIMIT_THRESHOLDS": text})
