"""The threshold notification: the crossing named, money with its basis, attributes for filters."""

from __future__ import annotations

import json

from task_monitor.domain.kinds.spending_limit.event import parse_spend_change
from task_monitor.domain.kinds.spending_limit.notification import crossing_phrase, render_threshold_notification
from task_monitor.domain.kinds.spending_limit.record import build_spend_record
from task_monitor_devkit.builders.spending_limit import LIMIT_ARN, spend_event


def test_the_highest_crossing_is_named_first_and_the_others_after_it() -> None:
    assert crossing_phrase([80]) == "crossed 80 %"
    assert crossing_phrase([50, 80]) == "crossed 80 % (and 50 %)"
    assert crossing_phrase([100, 50, 80]) == "crossed 100 % (and 80 %, 50 %)"


def test_the_notification_says_how_much_of_which_limit_is_spent() -> None:
    record = {**build_spend_record(parse_spend_change(spend_event("8.10"))), "thresholdsCrossed": [80, 50]}
    notification = render_threshold_notification(record)
    assert notification.subject == "Braket spending limit crossed 80 % (and 50 %): $8.10 of $10.00 on ionq/Forte-1"
    assert "Total spend     $8.10 USD (81.0 % of the limit)" in notification.email_text
    assert "Basis" in notification.email_text and "not a bill" in notification.email_text
    body = json.loads(notification.json_body)
    assert body["kind"] == "spending_limit" and body["totalSpend"] == "8.10" and body["thresholdsCrossed"] == [80, 50]
    assert notification.attributes["kind"]["StringValue"] == "spending_limit"
    assert notification.attributes["spendingLimitArn"]["StringValue"] == LIMIT_ARN
    assert notification.attributes["threshold"] == {"DataType": "Number", "StringValue": "80"}
