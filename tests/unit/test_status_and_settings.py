"""Status ranking and the function's configuration."""

from __future__ import annotations

import pytest

from task_monitor.domain.retention import Retention
from task_monitor.domain.status import parse_status_list, rank
from task_monitor.errors import ConfigurationError
from task_monitor.settings import Settings

TOPIC = "arn:aws:sns:us-east-1:123456789012:braket-task-notifications"
BASE = {"AUDIT_TABLE_NAME": "audit", "NOTIFICATION_TOPIC_ARN": TOPIC}


def test_lifecycle_ranks_rise_and_terminal_statuses_rank_highest() -> None:
    lifecycle = ["CREATED", "QUEUED", "RUNNING", "CANCELLING"]
    assert [rank(s) for s in lifecycle] == sorted(rank(s) for s in lifecycle)
    assert {rank("COMPLETED"), rank("FAILED"), rank("CANCELLED")} == {max(rank(s) for s in lifecycle) + 1}
    assert rank("PAUSED") == 0


def test_status_list_is_parsed_case_and_space_insensitively() -> None:
    assert parse_status_list(" completed, FAILED ,,") == {"COMPLETED", "FAILED"}


def test_status_list_with_a_typo_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="COMPLETE"):
        parse_status_list("COMPLETE,FAILED")


def test_settings_default_to_notifying_terminal_statuses() -> None:
    settings = Settings.from_environment({"AUDIT_TABLE_NAME": "audit", "NOTIFICATION_TOPIC_ARN": TOPIC})
    assert settings.notify_statuses == {"COMPLETED", "FAILED", "CANCELLED"}


def test_settings_default_to_the_safe_retention_and_callers_named_by_principal() -> None:
    settings = Settings.from_environment(BASE)
    assert settings.retention == Retention(history_days=400, caller_details_days=90)
    assert settings.notify_caller_details is False


def test_retention_zero_keeps_items_and_caller_details_can_be_notified() -> None:
    settings = Settings.from_environment(
        {**BASE, "HISTORY_RETENTION_DAYS": "0", "CALLER_DETAILS_RETENTION_DAYS": "30", "NOTIFY_CALLER_DETAILS": "true"}
    )
    assert settings.retention == Retention(history_days=None, caller_details_days=30)
    assert settings.notify_caller_details is True


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"NOTIFICATION_TOPIC_ARN": TOPIC}, "AUDIT_TABLE_NAME"),
        ({"AUDIT_TABLE_NAME": "audit"}, "NOTIFICATION_TOPIC_ARN"),
        ({"AUDIT_TABLE_NAME": "audit", "NOTIFICATION_TOPIC_ARN": "my-topic"}, "NOTIFICATION_TOPIC_ARN"),
        ({"AUDIT_TABLE_NAME": "audit", "NOTIFICATION_TOPIC_ARN": TOPIC, "NOTIFY_STATUSES": "DONE"}, "NOTIFY_STATUSES"),
        ({**BASE, "HISTORY_RETENTION_DAYS": "-1"}, "HISTORY_RETENTION_DAYS"),
        ({**BASE, "HISTORY_RETENTION_DAYS": "forever"}, "HISTORY_RETENTION_DAYS"),
        ({**BASE, "CALLER_DETAILS_RETENTION_DAYS": "3654"}, "CALLER_DETAILS_RETENTION_DAYS"),
        ({**BASE, "NOTIFY_CALLER_DETAILS": "yes"}, "NOTIFY_CALLER_DETAILS"),
    ],
)
def test_bad_configuration_is_an_error_naming_the_variable(environment: dict, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        Settings.from_environment(environment)


def test_a_trailing_newline_is_not_status_shaped() -> None:
    # `$` matches before a final newline; fullmatch does not.
    from task_monitor.domain.status import is_status_shaped

    assert is_status_shaped("RUNNING") and not is_status_shaped("RUNNING\n")


_SETTINGS_BASE = {
    "AUDIT_TABLE_NAME": "audit",
    "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notifications",
}
_OVERRIDE = (
    '[{"family":"qpuTask","device":"arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1","region":"us-east-1",'
    '"perTaskUsd":"0.30","perShotUsd":"0.07","source":"negotiated","confidence":"I"}]'
)


def test_price_overrides_are_read_as_price_entries() -> None:
    settings = Settings.from_environment({**_SETTINGS_BASE, "PRICE_OVERRIDES": _OVERRIDE})
    assert [(e.family, str(e.per_shot_usd)) for e in settings.price_overrides] == [("qpuTask", "0.07")]
    assert Settings.from_environment(_SETTINGS_BASE).price_overrides == ()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{", "PRICE_OVERRIDES must be a JSON list"),
        ("{}", "PRICE_OVERRIDES must be a JSON list"),
        (_OVERRIDE.replace('"0.07"', '"cheap"'), "PRICE_OVERRIDES[0].perShotUsd: "),
    ],
)
def test_bad_price_overrides_are_a_configuration_error_naming_them(text: str, named: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_environment({**_SETTINGS_BASE, "PRICE_OVERRIDES": text})
    assert str(raised.value).startswith(named)


def test_the_simulator_exact_duration_is_off_unless_set_true() -> None:
    assert Settings.from_environment(_SETTINGS_BASE).simulator_exact_duration is False
    on = Settings.from_environment({**_SETTINGS_BASE, "SIMULATOR_EXACT_DURATION": "TRUE"})
    assert on.simulator_exact_duration is True
    with pytest.raises(ConfigurationError, match="SIMULATOR_EXACT_DURATION must be true or false, got 'yes'"):
        Settings.from_environment({**_SETTINGS_BASE, "SIMULATOR_EXACT_DURATION": "yes"})


def test_the_audit_table_indexes_are_named_only_while_migrating_and_must_cover_each_listing() -> None:
    assert Settings.from_environment(_SETTINGS_BASE).audit_table_indexes is None  # the final schema
    step = {**_SETTINGS_BASE, "AUDIT_TABLE_INDEXES": "byDevice, byJob,byStatus,byStatus-v2"}
    assert Settings.from_environment(step).audit_table_indexes == {"byDevice", "byJob", "byStatus", "byStatus-v2"}
    with pytest.raises(ConfigurationError, match=r"unknown indexes \['byStatuz'\]"):
        Settings.from_environment({**_SETTINGS_BASE, "AUDIT_TABLE_INDEXES": "byDevice,byJob,byStatuz"})
    with pytest.raises(ConfigurationError, match="neither byJob-v2 nor byJob"):
        Settings.from_environment({**_SETTINGS_BASE, "AUDIT_TABLE_INDEXES": "byDevice,byStatus"})
