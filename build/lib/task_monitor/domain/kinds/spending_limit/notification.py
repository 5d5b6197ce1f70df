"""Render a spending limit's threshold crossing as an SNS notification: how much of the limit is spent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from task_monitor.domain.arns import parse_device_arn
from task_monitor.domain.notification_model import Notification, braket_console_url, compose, compose_email
from task_monitor.domain.notification_model import string_attribute as text
from task_monitor.domain.registry import SPENDING_LIMIT


def crossing_phrase(crossed: list[int]) -> str:
    """``crossed 80 % (and 50 %)``: the highest threshold first, the others it passed with it after."""
    highest, *others = sorted(crossed, reverse=True)
    tail = f" (and {', '.join(f'{value} %' for value in others)})" if others else ""
    return f"crossed {highest} %{tail}"


def device_label(record: Mapping[str, Any]) -> str:
    device = parse_device_arn(str(record.get("deviceArn", "")))
    return device.label if device else "its device"


def render_threshold_notification(record: Mapping[str, Any]) -> Notification:
    crossed = list(record.get("thresholdsCrossed") or [record.get("thresholdReached", 0)])
    phrase = crossing_phrase(crossed)
    spent = f"${record['totalSpend']} of ${record['spendingLimit']}"
    subject = f"Braket spending limit {phrase}: {spent} on {device_label(record)}"
    period = record.get("timePeriod") or {}
    lines: list[tuple[str, str | None]] = [
        ("Spending limit", record["spendingLimitArn"]),
        ("Device", record.get("deviceArn")),
        ("Limit", f"${record['spendingLimit']} USD"),
        ("Total spend", f"${record['totalSpend']} USD ({record.get('percentOfLimit', '?')} % of the limit)"),
        ("Queued spend", f"${record['queuedSpend']} USD" if "queuedSpend" in record else None),
        ("Period", f"{period['startAt']} to {period['endAt']}" if period else "none named by the event"),
        ("Moved by task", record.get("quantumTaskArn")),
        ("Basis", record.get("basis")),
        ("Console", _console_url(record)),
    ]
    notes = [
        f"Total spend {phrase} of this spending limit. Braket refuses a new task whose estimated cost "
        "would take the spend over the limit; raise the limit or wait for the next period to go on."
    ]
    footer = f"Event {record['eventId']} ({record['detailType']}) at {record['eventTime']}."
    heading = f"Amazon Braket spending limit {phrase}"
    return compose(
        kind=SPENDING_LIMIT.name,
        record=record,
        subject=subject,
        email_text=compose_email(heading, lines, notes, footer),
        attributes={
            "spendingLimitArn": text(record["spendingLimitArn"]),
            "threshold": {"DataType": "Number", "StringValue": str(max(crossed))},
            **({"deviceArn": text(record["deviceArn"])} if record.get("deviceArn") else {}),
        },
        console_url=_console_url(record),
    )


def _console_url(record: Mapping[str, Any]) -> str | None:
    region = record.get("region")
    return braket_console_url(region, "spending-limits") if region else None
