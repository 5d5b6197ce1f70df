"""Spending limits as code: each declared limit becomes ``AWS::Braket::SpendingLimit`` in its QPU's region
(the main stack for the main region, that region's forwarder otherwise), and nowhere else; the
thresholds reach the function. The settings are checked in ``test_config.py``'s style below: one clear
error per bad value."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from infra.config import ConfigError, load_config
from tests.infra.helpers import DEVICE_ARN

pytestmark = pytest.mark.infra
ANKAA = "arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3"


def test_a_limit_of_a_main_region_device_is_in_the_main_stack(main_template):
    main_template.resource_count_is("AWS::Braket::SpendingLimit", 1)
    main_template.has_resource_properties(
        "AWS::Braket::SpendingLimit",
        {"DeviceArn": DEVICE_ARN, "SpendingLimit": "250.00", "TimePeriod": Match.absent()},
    )
    outputs = main_template.to_json()["Outputs"]
    assert any(name.startswith("SpendingLimit") and name.endswith("Arn") for name in outputs)


def test_a_limit_of_another_region_is_in_that_regions_forwarder_with_its_window(forwarder_templates):
    counts = {region: len(t.find_resources("AWS::Braket::SpendingLimit")) for region, t in forwarder_templates.items()}
    assert counts == {region: (1 if region == "us-west-1" else 0) for region in forwarder_templates}
    forwarder_templates["us-west-1"].has_resource_properties(
        "AWS::Braket::SpendingLimit",
        {
            "DeviceArn": ANKAA,
            "SpendingLimit": "40",
            "TimePeriod": {"StartAt": "2027-01-01T00:00:00Z", "EndAt": "2027-04-01T00:00:00Z"},
        },
    )


def test_the_thresholds_reach_the_function(main_template):
    main_template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Environment": {"Variables": Match.object_like({"SPENDING_LIMIT_THRESHOLDS": "25,75,100"})}},
    )


def test_the_defaults_declare_no_limit_and_announce_50_80_100():
    config = load_config({})
    assert config.spending_limits == () and config.spending_limit_thresholds == (50, 80, 100)


@pytest.mark.parametrize(
    ("limits", "key", "words"),
    [
        ([{"deviceArn": "arn:aws:braket:::device/quantum-simulator/amazon/sv1", "amountUsd": "1"}], "deviceArn", "QPU"),
        (
            [{"deviceArn": "arn:aws:braket:ap-southeast-2::device/qpu/x/y", "amountUsd": "1"}],
            "deviceArn",
            "braketRegions",
        ),
        ([{"deviceArn": DEVICE_ARN, "amountUsd": "0"}], "amountUsd", "more than 0"),
        ([{"deviceArn": DEVICE_ARN, "amountUsd": 12.5}], "amountUsd", "decimal string"),
        ([{"deviceArn": DEVICE_ARN, "amountUsd": "-3"}], "amountUsd", "decimal string"),
        ([{"deviceArn": DEVICE_ARN}], "amountUsd", "decimal string"),
        ([{"deviceArn": DEVICE_ARN, "amountUsd": "5", "limit": 3}], "limit", "unknown field"),
        (
            [
                {
                    "deviceArn": DEVICE_ARN,
                    "amountUsd": "5",
                    "timeWindow": {"startAt": "2027-02-01T00:00:00Z", "endAt": "2027-01-01T00:00:00Z"},
                }
            ],
            "timeWindow",
            "not before",
        ),
        (
            [
                {
                    "deviceArn": DEVICE_ARN,
                    "amountUsd": "5",
                    "timeWindow": {"startAt": "2027-01-01", "endAt": "2027-02-01T00:00:00Z"},
                }
            ],
            "startAt",
            "ISO-8601",
        ),
        (
            [{"deviceArn": DEVICE_ARN, "amountUsd": "5"}, {"deviceArn": DEVICE_ARN, "amountUsd": "6"}],
            "spendingLimits",
            "one spending limit per device",
        ),
        ({"deviceArn": DEVICE_ARN}, "spendingLimits", "expected a list"),
    ],
)
def test_each_bad_limit_is_one_clear_error_naming_its_key(limits, key, words):
    with pytest.raises(ConfigError) as raised:
        load_config({"spendingLimits": limits})
    assert raised.value.key.endswith(key) and words in str(raised.value)


@pytest.mark.parametrize("thresholds", [[0, 50], [50, 101], [50, 50], [], ["half"]])
def test_bad_thresholds_are_refused(thresholds):
    with pytest.raises(ConfigError) as raised:
        load_config({"spendingLimitThresholds": thresholds})
    assert raised.value.key.startswith("spendingLimitThresholds")
