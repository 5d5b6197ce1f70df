"""A CreateQuantumTask a spending limit refused: recognised, recorded once, announced once.

Braket refuses a task whose estimated cost would take a limit's spend over it, or that falls outside
the limit's time window, with ``ValidationException`` and a message that (in AWS's spending-limits
example notebook) begins "Attempted to spend over the spending limit or outside the spending limit time
window. Spending limit: 3, current spend: 0, estimated cost: 9.3000000000, ...". That such a refusal
reaches CloudTrail with this ``errorCode`` and ``errorMessage`` is inferred (no published record shows
one). The three amounts are read from the message as Braket wrote them (decimal strings, USD); one the
message lacks is left out, never guessed. Any other refused call stays counted and unwritten.

Recorded in ``REFUSED_TASK#<deviceArn>`` (one write-once item per distinct event, no latest state) and
announced under the same claim/SENT pattern as every kind. Only a call whose arrival vouches for it
(``Arrival.joins_callers``) names who tried; any other is recorded with its ``arrival``, names nobody and
is not announced: whoever may invoke the function cannot make the topic accuse someone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arns import parse_device_arn
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.callers import describe_caller, principal_only
from task_monitor.domain.kinds.api_call.event import ApiCall
from task_monitor.domain.notification_model import Notification, compose, compose_email, string_attribute
from task_monitor.domain.results import REFUSED_TASK_SOURCE, ProcessingResult

if TYPE_CHECKING:
    from task_monitor.domain.ports import AuditStore

REFUSED_TASK = "refused_task"  # the notification's and the result's kind
SPENDING_LIMIT_REFUSAL = "Attempted to spend over the spending limit"
UNKNOWN_DEVICE = "unknown"
_AMOUNTS = {
    "spendingLimitUsd": re.compile(r"Spending limit:\s*(\d{1,13}(?:\.\d{1,12})?)\b"),
    "currentSpendUsd": re.compile(r"current spend:\s*(\d{1,13}(?:\.\d{1,12})?)\b"),
    "estimatedCostUsd": re.compile(r"estimated cost:\s*(\d{1,13}(?:\.\d{1,12})?)\b"),
}
REFUSAL_BASIS = "parsed from Braket's refusal message (CreateQuantumTask, ValidationException), USD"


def is_spending_limit_refusal(call: ApiCall) -> bool:
    """A CreateQuantumTask refused with ValidationException for a spending limit."""
    return (
        call.event_name == "CreateQuantumTask"
        and call.error_code == "ValidationException"
        and (call.error_message or "").startswith(SPENDING_LIMIT_REFUSAL)
    )


def refusal_amounts(message: str) -> dict[str, str]:
    """The limit, the current spend and the estimate, as the message wrote them; those it lacks left out."""
    found = {name: pattern.search(message) for name, pattern in _AMOUNTS.items()}
    return {name: match.group(1) for name, match in found.items() if match}


def build_refused_record(call: ApiCall, arrival: Arrival) -> dict[str, Any]:
    """The refused task as its item keeps it: the device, what was asked, the amounts, and (only when the
    arrival vouches for the call) who tried."""
    asked = call.request_parameters or {}
    record: dict[str, Any] = {
        "eventId": call.event_id,
        "eventTime": call.event_time,
        "eventName": call.event_name,
        "deviceArn": asked.get("deviceArn") or UNKNOWN_DEVICE,
        "region": call.region,
        "errorCode": call.error_code,
        "errorMessage": call.error_message,
        "shots": asked.get("shots"),
        "refusal": {**refusal_amounts(call.error_message or ""), "basis": REFUSAL_BASIS},
        "arrival": arrival.field(),
    }
    if arrival.joins_callers:
        record["attemptedBy"] = call.caller
    return {key: value for key, value in record.items() if value is not None}


def _device_label(device_arn: str) -> str:
    device = parse_device_arn(device_arn)
    return device.label if device else "an unnamed device"


def render_refused_notification(record: Mapping[str, Any]) -> Notification:
    refusal = record.get("refusal", {})
    who = record.get("attemptedBy", {}).get("principal", "unknown")
    tried = describe_caller(record.get("attemptedBy")) if "attemptedBy" in record else "unknown"
    device = _device_label(record["deviceArn"])
    estimate = refusal.get("estimatedCostUsd")
    subject = f"Braket task refused by a spending limit on {device}" + (f": estimate ${estimate}" if estimate else "")
    lines: list[tuple[str, str | None]] = [
        ("Who tried", tried),
        ("Device", record["deviceArn"]),
        ("Shots", str(record["shots"]) if "shots" in record else None),
        ("Spending limit", f"${refusal['spendingLimitUsd']} USD" if "spendingLimitUsd" in refusal else None),
        ("Current spend", f"${refusal['currentSpendUsd']} USD" if "currentSpendUsd" in refusal else None),
        ("Estimated cost", f"${estimate} USD (Braket's estimate for the task)" if estimate else None),
        ("Basis", refusal.get("basis")),
        ("Braket said", record.get("errorMessage")),
    ]
    notes = [
        "Braket refused to create the task: its estimated cost would take the spending limit's spend over "
        "the limit, or the limit's time window excludes now. Nothing was created or charged."
    ]
    footer = f"CloudTrail event {record['eventId']} ({record['eventName']}) at {record['eventTime']}."
    attributes = {"deviceArn": string_attribute(record["deviceArn"]), "principal": string_attribute(who)}
    return compose(
        kind=REFUSED_TASK,
        record=record,
        subject=subject,
        email_text=compose_email(f"Amazon Braket task refused by a spending limit on {device}", lines, notes, footer),
        attributes=attributes,
    )


class RefusedTaskRecorder:
    """Records a refused task once and announces it once (only when its arrival vouches for the call)."""

    def __init__(self, store: AuditStore, announcer: Announcer, *, notify_caller_details: bool = False) -> None:
        self._store = store
        self._announcer = announcer
        self._notify_caller_details = notify_caller_details

    def process(self, call: ApiCall, arrival: Arrival) -> ProcessingResult:
        record = build_refused_record(call, arrival)
        # The item keeps who tried in full (it expires with callers' details: domain/retention.py); the
        # notification names the principal unless callers' details are to be notified.
        shown = record
        if not self._notify_caller_details and "attemptedBy" in record:
            shown = {**record, "attemptedBy": principal_only(record["attemptedBy"])}
        recorded = self._announcer.record_and_announce(
            self._store, record, notify=arrival.joins_callers, render=lambda: render_refused_notification(shown)
        )
        return ProcessingResult.of(REFUSED_TASK, record, recorded, source=REFUSED_TASK_SOURCE)
