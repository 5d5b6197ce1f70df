"""Who made a Braket API call, as the audit keeps it: joined from CloudTrail onto tasks and jobs.

A task's or job's records carry ``createdBy`` (from CreateQuantumTask / CreateJob) and, once
cancelled, ``cancelledBy`` (CancelQuantumTask / CancelJob). CloudTrail delivery is best effort and
may come before or after the state events, or never: until it comes the record says unknown.
Credentials (access key ids, session tokens) and whole request payloads are never kept.

Two forms of a caller are kept (``docs/decisions.md``, "Callers' details expire"): the whole caller
(session and user names, principal id, source IP, user agent) only on the call's own history item,
which expires after the callers'-details retention; everywhere else (latest state, a state event's
record, notifications unless configured) only who it was (``principal_only``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

UNKNOWN_PRINCIPAL = "unknown"

# The record fields a caller is joined under, by the role of the call.
CREATED_BY = "createdBy"  # CreateQuantumTask / CreateJob
CANCELLED_BY = "cancelledBy"  # CancelQuantumTask / CancelJob
CALLER_FIELDS = (CREATED_BY, CANCELLED_BY)
ATTEMPTED_BY = "attemptedBy"  # who tried a call Braket refused (a task over a spending limit)
# Every field a record may name a caller under (their details decide the record's retention).
NAMED_CALLER_FIELDS = (*CALLER_FIELDS, ATTEMPTED_BY)
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

# What identifies the caller without describing the person or their machine: the principal (a role,
# a user's ARN, a service), its type and account, the service that called for it, and which call.
PRINCIPAL_FIELDS = frozenset(
    {"principal", "identityType", "accountId", "invokedBy", "eventName", "eventTime", "cloudTrailEventId"}
)


def principal_only(caller: Caller) -> Caller:
    """The caller as kept beyond its call's own history item: no session or user name, principal id,
    source IP, user agent or request parameters."""
    return {key: value for key, value in caller.items() if key in PRINCIPAL_FIELDS}  # type: ignore[return-value]


def carries_caller_details(record: Mapping[str, Any]) -> bool:
    """Whether a record names a caller with more than ``principal_only`` keeps (it then expires with
    the callers' details, not with the history)."""
    return any(
        isinstance(record.get(field), Mapping) and not PRINCIPAL_FIELDS.issuperset(record[field])
        for field in NAMED_CALLER_FIELDS
    )


def with_caller_details(
    record: Mapping[str, Any], created_by: Caller | None, cancelled_by: Caller | None
) -> dict[str, Any]:
    """The record as a notification shows it when callers' details are to be notified: its callers
    whole, where its history still holds them."""
    shown = dict(record)
    for field, caller in ((CREATED_BY, created_by), (CANCELLED_BY, cancelled_by)):
        if field in shown and is_known(caller):
            shown[field] = caller
    return shown


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
