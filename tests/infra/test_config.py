"""The deployment settings: defaults, command-line forms, and a clear error for every bad value.

Fast: no synthesis (except the last test, which runs app.py up to the configuration error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from infra.config import (
    DEFAULT_BRAKET_REGIONS,
    LOG_RETENTION_DAYS_ALLOWED,
    ConfigError,
    EmailSubscription,
    MonitorConfig,
    _braket_regions,
    load_config,
)
from infra.constructs.processing import _RETENTION
from tests.infra.conftest import ROOT, cdk_json_context
from tests.infra.helpers import DEVICE_ARN


def test_given_no_context_when_loading_then_every_setting_has_its_documented_default():
    config = load_config({})

    assert config == MonitorConfig()
    assert config.main_region == "us-east-1"
    assert config.braket_regions == ("us-east-1", "us-west-1", "us-west-2", "eu-west-2", "eu-north-1")
    assert config.notify_statuses == ("COMPLETED", "FAILED", "CANCELLED")
    assert config.notification_emails == ()
    assert config.alarm_email is None
    assert config.log_retention_days == 90
    assert config.retain_table is True
    assert config.max_concurrency == 5
    assert config.create_trail is False
    assert config.trail_retention_days == 90


def test_given_cdk_json_when_loading_then_its_values_are_the_defaults():
    assert load_config(cdk_json_context()) == MonitorConfig()


def test_given_the_default_regions_when_loading_then_every_region_but_the_main_one_is_forwarded():
    config = load_config({})

    assert config.forwarded_regions == ("us-west-1", "us-west-2", "eu-west-2", "eu-north-1")


def test_given_a_main_region_outside_braket_when_loading_then_all_braket_regions_are_forwarded():
    config = load_config({"mainRegion": "eu-west-1"})

    assert config.forwarded_regions == DEFAULT_BRAKET_REGIONS


def test_given_command_line_strings_when_loading_then_lists_and_numbers_are_parsed():
    config = load_config(
        {
            "braketRegions": "us-east-1, us-west-2",
            "notifyStatuses": '["failed", "COMPLETED"]',
            "logRetentionDays": "30",
            "maxConcurrency": "20",
            "notificationEmails": "a@example.org,b@example.org",
            "createTrail": "True",
            "trailRetentionDays": "365",
        }
    )

    assert config.braket_regions == ("us-east-1", "us-west-2")
    assert config.notify_statuses == ("FAILED", "COMPLETED")
    assert config.log_retention_days == 30
    assert config.max_concurrency == 20
    assert [email.address for email in config.notification_emails] == ["a@example.org", "b@example.org"]
    assert config.create_trail is True
    assert config.trail_retention_days == 365
    assert load_config({"createTrail": "false"}).create_trail is False


def test_given_filtered_email_entries_when_loading_then_each_becomes_its_filter_policy():
    config = load_config(
        {
            "notificationEmails": [
                "all@example.org",
                {
                    "address": "team@example.org",
                    "statuses": ["failed"],
                    "devices": [DEVICE_ARN],
                    "providers": ["ionq"],
                    "tags": {"project": "vqe-h2", "owner": "ana"},
                },
            ]
        }
    )

    plain, filtered = config.notification_emails
    assert plain == EmailSubscription(address="all@example.org")
    assert plain.filter_policy_values() == {}
    assert filtered.filter_policy_values() == {
        "status": ["FAILED"],
        "deviceArn": [DEVICE_ARN],
        "provider": ["ionq"],
        "tags": ["project=vqe-h2", "owner=ana"],
    }


def _email(**fields: object) -> dict:
    """Context with one notificationEmails object entry."""
    return {"notificationEmails": [{"address": "a@example.org", **fields}]}


EMAIL0 = "notificationEmails[0]"
TOO_MANY_COMBINATIONS = _email(providers=[f"p{i}" for i in range(11)], tags={f"t{i}": "v" for i in range(14)})


@pytest.mark.parametrize(
    ("context", "key", "hint"),
    [
        ({"mainRegion": "mars-north-1a"}, "mainRegion", "region"),
        ({"braketRegions": []}, "braketRegions", "at least one"),
        ({"braketRegions": ["us-east-1", "us-east-1"]}, "braketRegions", "more than once"),
        ({"braketRegions": ["us-east-1", "useast1"]}, "braketRegions[1]", "region"),
        ({"braketRegions": {"us-east-1": True}}, "braketRegions", "list"),
        ({"mainRegion": "us-east-9"}, "mainRegion", "not an AWS region"),
        ({"braketRegions": ["us-east-1", "eu-north-2"]}, "braketRegions[1]", "did you mean 'eu-north-1'?"),
        ({"braketRegions": ["us-east-1", "eu-west-1"]}, "braketRegions[1]", "Braket has no endpoint in eu-west-1"),
        ({"mainRegion": "cn-north-1"}, "braketRegions[0]", "partition aws but mainRegion cn-north-1 is in aws-cn"),
        ({"notifyStatuses": ["COMPLETED", "DONE"]}, "notifyStatuses[1]", "CANCELLED"),
        ({"notificationEmails": ["not-an-address"]}, EMAIL0, "email"),
        ({"notificationEmails": [{"statuses": ["FAILED"]}]}, f"{EMAIL0}.address", "required"),
        (_email(status=["FAILED"]), f"{EMAIL0}.status", "allowed"),
        (_email(statuses=["RUNNING"]), f"{EMAIL0}.statuses", "not in notifyStatuses"),
        (_email(devices=["Forte-1"]), f"{EMAIL0}.devices", "device ARN"),
        (_email(tags=["project=x"]), f"{EMAIL0}.tags", "object"),
        (_email(tags={"a=b": "c"}), f"{EMAIL0}.tags.a=b", "'='"),
        (TOO_MANY_COMBINATIONS, EMAIL0, "150"),
        ({"notificationEmails": [42]}, EMAIL0, "address"),
        ({"alarmEmail": "oncall"}, "alarmEmail", "email"),
        ({"logRetentionDays": 45}, "logRetentionDays", "CloudWatch Logs accepts"),
        ({"logRetentionDays": "forever"}, "logRetentionDays", "whole number"),
        ({"tableRemovalPolicy": "keep"}, "tableRemovalPolicy", "retain or destroy"),
        ({"maxConcurrency": 1}, "maxConcurrency", "2..1000"),
        ({"maxConcurrency": 1001}, "maxConcurrency", "GetQuantumTask"),
        ({"maxConcurrency": True}, "maxConcurrency", "whole number"),
        ({"maxConcurrency": "none"}, "maxConcurrency", "whole number"),
        ({"createTrail": "yes"}, "createTrail", "write true or false"),
        ({"createTrail": 1}, "createTrail", "not a boolean"),
        ({"createTrail": ["true"]}, "createTrail", "not a boolean"),
        ({"trailRetentionDays": 0}, "trailRetentionDays", "1..3653 days"),
        ({"trailRetentionDays": 3654}, "trailRetentionDays", "out of range"),
        ({"trailRetentionDays": "a year"}, "trailRetentionDays", "whole number"),
        ({"trailRetentionDays": False}, "trailRetentionDays", "whole number"),
    ],
)  # fmt: skip
def test_given_a_bad_value_when_loading_then_the_error_names_the_key_and_what_is_allowed(context, key, hint):
    with pytest.raises(ConfigError) as raised:
        load_config(context)

    assert raised.value.key == key
    assert f"'{key}'" in str(raised.value)
    assert hint in str(raised.value)
    assert "\n" not in str(raised.value)  # one line


def test_given_a_bad_value_when_running_app_py_then_synthesis_stops_with_the_key_named(tmp_path):
    context = {**cdk_json_context(), "logRetentionDays": 45}
    environment = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": str(tmp_path)}

    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")], capture_output=True, text=True, env=environment, check=False
    )

    assert result.returncode != 0
    assert "Configuration error: cdk.json context 'logRetentionDays': 45 is not a retention" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("typo", "meant"), [("us-east-9", "us-east-1"), ("eu-north-2", "eu-north-1")])
def test_given_a_misspelled_braket_region_when_loading_then_the_nearest_braket_region_is_suggested(typo, meant):
    with pytest.raises(
        ConfigError, match=rf"'braketRegions\[1\]': '{typo}' is not an AWS region .*did you mean '{meant}'"
    ):
        load_config({"braketRegions": ["us-west-2", typo]})


def test_given_botocores_endpoint_data_then_braket_regions_are_the_documented_ones_and_each_is_accepted():
    """The check reads botocore's data, not a list of ours: the defaults must pass it, and the data must
    still name Braket's regions (a botocore upgrade that dropped them would reject every deployment)."""
    assert set(_braket_regions()) == set(DEFAULT_BRAKET_REGIONS)
    for main_region in ("us-east-1", "eu-west-1", "ap-southeast-2", "il-central-1"):
        assert load_config({"mainRegion": main_region}).main_region == main_region


def test_given_every_retention_config_accepts_then_the_function_construct_can_map_it():
    assert set(_RETENTION) == set(LOG_RETENTION_DAYS_ALLOWED)


@pytest.mark.parametrize(("typo", "suggestion"), [("alarmEmails", "alarmEmail"), ("maxConcurency", "maxConcurrency")])
def test_given_a_misspelled_setting_when_loading_then_the_error_names_it_and_the_likely_one(typo, suggestion):
    with pytest.raises(ConfigError, match=rf"'{typo}': is not a setting; did you mean '{suggestion}'"):
        load_config({**cdk_json_context(), typo: "x"})


def test_given_cdk_s_own_context_keys_when_loading_then_they_are_not_mistaken_for_settings():
    context = {"@aws-cdk/core:newStyleStackSynthesis": True, "aws:cdk:enable-path-metadata": True, "//": ["note"]}
    assert load_config(context).main_region == "us-east-1"


def test_given_the_retired_reserved_concurrency_setting_when_loading_then_the_error_points_to_max_concurrency():
    with pytest.raises(ConfigError, match=r"'reservedConcurrency': is not a setting; did you mean 'maxConcurrency'"):
        load_config({**cdk_json_context(), "reservedConcurrency": 10})


def test_given_no_redrive_principals_then_none_may_send_but_the_rules_and_the_function():
    assert load_config({}).redrive_principals == () == load_config(cdk_json_context()).redrive_principals
    assert cdk_json_context()["redrivePrincipals"] == []


def test_given_redrive_principals_then_role_arns_are_taken_from_json_or_the_command_line():
    roles = ["arn:aws:iam::123456789012:role/Operator", "arn:aws:iam::123456789012:role/ops/Redriver"]
    assert load_config({"redrivePrincipals": roles}).redrive_principals == tuple(roles)
    assert load_config({"redrivePrincipals": ",".join(roles)}).redrive_principals == tuple(roles)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (["arn:aws:iam::123456789012:user/alice"], "is not an IAM role ARN"),
        (["arn:aws:sts::123456789012:assumed-role/Operator/alice"], "a role, not a user or a session"),
        (["Operator"], "arn:aws:iam::<account>:role/<name>"),
        (["arn:aws:iam::123456789012:role/A", "arn:aws:iam::123456789012:role/A"], "lists a role twice"),
        ({"role": "x"}, "expected a list"),
    ],
)
def test_given_a_bad_redrive_principal_then_the_error_names_the_setting_and_the_fix(value, problem):
    with pytest.raises(ConfigError, match="redrivePrincipals") as raised:
        load_config({"redrivePrincipals": value})
    assert problem in str(raised.value)


def test_given_no_retention_settings_then_history_is_kept_400_days_and_callers_details_90():
    for config in (load_config({}), load_config(cdk_json_context())):
        assert (config.history_retention_days, config.caller_details_retention_days) == (400, 90)
        assert config.notify_caller_details is False


def test_given_retention_zero_then_items_are_kept_until_deleted():
    config = load_config({"historyRetentionDays": 0, "callerDetailsRetentionDays": "0", "notifyCallerDetails": "true"})
    assert (config.history_retention_days, config.caller_details_retention_days) == (None, None)
    assert config.notify_caller_details is True


@pytest.mark.parametrize(
    ("context", "key", "problem"),
    [
        ({"historyRetentionDays": 3654}, "historyRetentionDays", "out of range"),
        ({"historyRetentionDays": "a year"}, "historyRetentionDays", "not a whole number"),
        ({"callerDetailsRetentionDays": 500}, "callerDetailsRetentionDays", "longer than historyRetentionDays (400)"),
        ({"callerDetailsRetentionDays": 0}, "callerDetailsRetentionDays", "longer than the history"),
        ({"notifyCallerDetails": "sometimes"}, "notifyCallerDetails", "not a boolean"),
    ],
)
def test_given_a_bad_retention_setting_then_the_error_names_it_and_the_fix(context, key, problem):
    with pytest.raises(ConfigError, match=key) as raised:
        load_config(context)
    assert problem in str(raised.value)


def test_given_price_overrides_when_loading_then_they_are_checked_and_passed_on_as_compact_json():
    entry = {
        "family": "jobInstance",
        "instanceType": "ml.m5.large",
        "region": "*",
        "perMinuteUsd": "0.0031",
        "source": "my price list",
        "confidence": "I",
    }
    config = load_config({"prices": [entry]})
    assert json.loads(config.price_overrides) == [entry]
    assert load_config({}).price_overrides == ""


def test_given_a_bad_price_override_when_loading_then_the_error_names_the_entry_and_field():
    entry = {
        "family": "qpuTask",
        "device": DEVICE_ARN,
        "region": "us-east-1",
        "perTaskUsd": "0.30",
        "perShotUsd": 0.08,
        "source": "s",
        "confidence": "A",
    }
    with pytest.raises(
        ConfigError, match=r"context 'prices': prices\[0\]\.perShotUsd: expected a non-negative decimal"
    ):
        load_config({"prices": [entry]})


def test_the_index_migration_step_defaults_to_the_final_schema_and_must_be_a_step() -> None:
    from task_monitor.audit_schema import FINAL_MIGRATION_STEP

    assert load_config({}).audit_index_migration_step == FINAL_MIGRATION_STEP
    assert load_config({"auditIndexMigrationStep": "2"}).audit_index_migration_step == 2
    for bad in (0, FINAL_MIGRATION_STEP + 1, "two"):
        with pytest.raises(ConfigError) as raised:
            load_config({"auditIndexMigrationStep": bad})
        assert raised.value.key == "auditIndexMigrationStep"
