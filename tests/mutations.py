"""Planted bugs for the mutation check: each must make the fault suite fail (``make mutation``).

A mutation is a small patch applied inside the pytest process, before the first test, when
``TASK_MONITOR_MUTATION`` names it (``tests/conftest.py`` calls ``apply_from_environment``): the
real tests then run against the mutated function. Each patch replaces one attribute of the
function's modules with ``pytest.MonkeyPatch``; the handler's cold starts (``load_handler``) reload
only ``task_monitor.handler``, so the patched classes and constants are the ones every run uses.
``tests/run_mutations.py`` runs the suite once unmutated and once per mutation, and fails if any
mutation survives. Why monkeypatching and not a mutation tool: ``docs/decisions.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

ENVIRONMENT_VARIABLE = "TASK_MONITOR_MUTATION"


@dataclass(frozen=True)
class Mutation:
    name: str
    bug: str  # the planted bug, as a reviewer would describe it
    apply: Callable[[pytest.MonkeyPatch], None]


def _transient_error_dead_lettered(patch: pytest.MonkeyPatch) -> None:
    """The intake sets aside, as refused for good, an event whose processing failed for any reason."""
    from task_monitor.domain import intake
    from task_monitor.errors import InvalidEventError, RequestRefusedError

    def handle_one(self: intake.SqsIntake, record: dict[str, Any]) -> bool:
        message_id = intake._message_id(record)
        body = record.get("body")
        try:
            event = intake.parse_body(body)
            self._observer.begin(message_id, event)
            result = self._process(event)
        except (InvalidEventError, RequestRefusedError) as error:
            return self._reject(message_id, body, error)
        except Exception as error:  # MUTATION: was "report it in batchItemFailures" (return False)
            refused = RequestRefusedError("intake", "process", type(error).__name__, str(error))
            return self._reject(message_id, body, refused)
        self._observer.processed(result)
        return True

    patch.setattr(intake.SqsIntake, "_handle_one", handle_one)


def _queued_never_processed(patch: pytest.MonkeyPatch) -> None:
    """Every QUEUED task event fails, so SQS redrives it to the dead-letter queue after its receives."""
    from task_monitor.domain import intake

    original = intake.SqsIntake._handle_one

    def handle_one(self: intake.SqsIntake, record: dict[str, Any]) -> bool:
        if '"status": "QUEUED"' in str(record.get("body")):
            return False  # MUTATION: reported in batchItemFailures on every receive
        return original(self, record)

    patch.setattr(intake.SqsIntake, "_handle_one", handle_one)


def _mark_retries_removed(patch: pytest.MonkeyPatch) -> None:
    """The SENT mark is tried once: a conflict or throttling after botocore's retries leaves it unmarked."""
    from task_monitor.adapters import notification_claims

    patch.setattr(notification_claims, "MARK_NOTIFIED_ATTEMPTS", 1)


def _claim_ignored(patch: pytest.MonkeyPatch) -> None:
    """A duplicate delivery publishes an event not yet SENT without checking or taking its claim."""
    from task_monitor.adapters.audit_items import NOTIFICATION_PENDING, NOTIFICATION_PUBLISHING
    from task_monitor.adapters.dynamodb_codec import from_item
    from task_monitor.adapters.notification_claims import NotificationClaims
    from task_monitor.domain.outcomes import SaveOutcome

    def resolve_duplicate(self: NotificationClaims, record: Any, claim: str | None, existing: Any) -> SaveOutcome:
        state = from_item(existing or {}).get("notification")
        if state not in (NOTIFICATION_PENDING, NOTIFICATION_PUBLISHING) or claim is None:
            return SaveOutcome.DUPLICATE
        return SaveOutcome.DUPLICATE_UNANNOUNCED  # MUTATION: no in-progress check, no conditional take

    patch.setattr(NotificationClaims, "resolve_duplicate", resolve_duplicate)


def _latest_unconditional(patch: pytest.MonkeyPatch) -> None:
    """The latest state is updated whatever it holds: the rank/time condition expression is dropped."""
    from task_monitor.adapters.audit_store import DynamoAuditStore

    original = DynamoAuditStore._update_latest_request

    def update_latest_request(self: DynamoAuditStore, record: Any) -> dict[str, Any]:
        request = original(self, record)
        request.pop("ConditionExpression")  # MUTATION
        request.pop("ReturnValuesOnConditionCheckFailure")
        unused = {":rank", ":eventTime"}  # DynamoDB refuses values no expression uses
        request["ExpressionAttributeValues"] = {
            name: value for name, value in request["ExpressionAttributeValues"].items() if name not in unused
        }
        for name in ("#rank", "#eventTime", "#reported", "#status"):
            request["ExpressionAttributeNames"].pop(name)
        return request

    patch.setattr(DynamoAuditStore, "_update_latest_request", update_latest_request)


def _failed_publish_sent(patch: pytest.MonkeyPatch) -> None:
    """A publish that failed (after botocore's retries) is reported as sent, so the event is marked SENT."""
    from task_monitor.adapters.notifier import SnsPublisher

    original = SnsPublisher.publish

    def publish(self: SnsPublisher, notification: Any) -> str:
        try:
            return original(self, notification)
        except Exception:  # MUTATION: was "raise" (the claim is released, the message retried)
            return "never-published"

    patch.setattr(SnsPublisher, "publish", publish)


def _budget_version_ignored(patch: pytest.MonkeyPatch) -> None:
    """A task's applied budget item is rewritten without checking the version it was read at."""
    from task_monitor.adapters.budget_ledger import DynamoBudgetLedger

    original = DynamoBudgetLedger._applied_put

    def applied_put(self: DynamoBudgetLedger, *args: Any) -> dict[str, Any]:
        request = original(self, *args)
        if "ExpressionAttributeValues" in request:  # MUTATION: was "#version = :version"
            request["ConditionExpression"] = "attribute_exists(#version)"
            del request["ExpressionAttributeValues"]
        return request

    patch.setattr(DynamoBudgetLedger, "_applied_put", applied_put)


def _threshold_announcer_ignored(patch: pytest.MonkeyPatch) -> None:
    """A spend event announces every threshold it reached, whichever event the mark names for them."""
    from task_monitor.adapters import spend_thresholds

    def owned(mark: dict[str, Any], covered: Any, event_id: str) -> tuple[int, ...]:
        return tuple(covered)  # MUTATION: was "only those the mark names event_id for"

    patch.setattr(spend_thresholds, "owned_thresholds", owned)


def _threshold_mark_unconditional(patch: pytest.MonkeyPatch) -> None:
    """The threshold mark is overwritten by an event as high as it, its announcers replaced."""
    import re

    from task_monitor.adapters import spend_thresholds

    original = spend_thresholds.DynamoThresholdMarks.advance

    def advance(self: Any, *args: Any) -> Any:
        client = self._client

        class _Unconditional:
            def update_item(self, **request: Any) -> Any:
                # MUTATION: was "only if lower (<), keeping earlier announcers (if_not_exists)"
                request["ConditionExpression"] = "attribute_not_exists(#highest) OR #highest <= :reached"
                request["UpdateExpression"] = re.sub(
                    r"if_not_exists\((#by\d+), :event\)", ":event", request["UpdateExpression"]
                )
                return client.update_item(**request)

        self._client = _Unconditional()
        try:
            return original(self, *args)
        finally:
            self._client = client

    patch.setattr(spend_thresholds.DynamoThresholdMarks, "advance", advance)


_PLANTED = (
    ("transient-error-dead-lettered", "the intake sets a failed event aside", _transient_error_dead_lettered),
    ("queued-never-processed", "every QUEUED event fails until SQS redrives it", _queued_never_processed),
    ("mark-retries-removed", "the SENT mark is tried once (MARK_NOTIFIED_ATTEMPTS = 1)", _mark_retries_removed),
    ("claim-ignored", "a duplicate publishes without checking or taking the claim", _claim_ignored),
    ("latest-unconditional", "the latest state moves without its condition expression", _latest_unconditional),
    ("failed-publish-sent", "a failed publish is treated as sent (and marked SENT)", _failed_publish_sent),
    ("budget-version-ignored", "a budget write ignores the version it read", _budget_version_ignored),
    (
        "threshold-announcer-ignored",
        "a spend event announces every threshold it reached, whoever the mark names",
        _threshold_announcer_ignored,
    ),
    (
        "threshold-mark-unconditional",
        "the threshold mark is overwritten by an event as high as it, announcers included",
        _threshold_mark_unconditional,
    ),
)
MUTATIONS: dict[str, Mutation] = {name: Mutation(name, bug, apply) for name, bug, apply in _PLANTED}


def apply_from_environment() -> tuple[Mutation, pytest.MonkeyPatch] | None:
    """Apply the mutation ``TASK_MONITOR_MUTATION`` names (None when unset); an unknown name is an error."""
    name = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not name:
        return None
    if name not in MUTATIONS:
        raise pytest.UsageError(f"{ENVIRONMENT_VARIABLE}={name!r} is not a mutation; known: {', '.join(MUTATIONS)}")
    mutation = MUTATIONS[name]
    patch = pytest.MonkeyPatch()
    mutation.apply(patch)
    return mutation, patch
