"""Who made a Braket API call, as the audit keeps it: joined from CloudTrail onto tasks and jobs.

A task's or job's records carry ``createdBy`` (from CreateQuantumTask / CreateJob) and, once
cancelled, ``cancelledBy`` (CancelQuantumTask / CancelJob). CloudTrail delivery is best effort and
may come before or after the state events, or never: until it comes the record says unknown.
Credentials (access key ids, session tokens) and whole request payloads are never kept.
"""

from __future__ import annotations

from typing import TypedDict

UNKNOWN_PRINCIPAL = "unknown"

# The record fields a caller is joined under, by the role of the call.
CREATED_BY = "createdBy"  # CreateQuantumTask / CreateJob
CANCELLED_BY = "cancelledBy"  # CancelQuantumTask / CancelJob
CALLER_FIELDS = (CREATED_BY, CANCELLED_BY)
# Statuses whose record names who cancelled (``unknown`` until the CloudTrail call is received).
CANCEL_STATUSES = frozenset({"CANCELLING", "CANCELLED"})


class SessionIssuer(TypedDict, total=False):
    type: str
    arn: str
    userName: str


class Caller(TypedDict, total=False):
    """One API call's caller, as recorded (``principal`` is the stable "who": the role for a role
    session, else the user's or service's ARN; ``unknown`` when no CloudTrail call was received)."""

    principal: str
    identityType: str
    arn: str
    principalId: str
    accountId: str
    userName: str
    sessionIssuer: SessionIssuer
    sessionName: str
    invokedBy: str
    sourceIPAddress: str
    userAgent: str
    eventName: str
    eventTime: str
    cloudTrailEventId: str
    requestParameters: dict[str, object]


UNKNOWN_CALLER: Caller = {"principal": UNKNOWN_PRINCIPAL}


def is_known(caller: Caller | None) -> bool:
    return bool(caller) and caller.get("principal", UNKNOWN_PRINCIPAL) != UNKNOWN_PRINCIPAL  # type: ignore[union-attr]


def principal_of(caller: Caller | None) -> str:
    """The caller's principal for a filter attribute: ``unknown`` when no call was received."""
    return str(caller.get("principal") or UNKNOWN_PRINCIPAL) if caller else UNKNOWN_PRINCIPAL


def describe_caller(caller: Caller | None) -> str:
    """One line for a notification: "arn:aws:iam::123456789012:role/Researcher (session alice) from 198.51.100.23"."""
    if not is_known(caller):
        return "unknown (no CloudTrail record of the call received yet)"
    assert caller is not None
    text = caller.get("principal", UNKNOWN_PRINCIPAL)
    if caller.get("sessionName"):
        text += f" (session {caller['sessionName']})"
    if caller.get("sourceIPAddress"):
        text += f" from {caller['sourceIPAddress']}"
    return text
