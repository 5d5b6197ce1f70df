"""Notification claims: which attempt may publish an event's notification, and when it is done.

An event to notify is written ``PUBLISHING`` with the id of the attempt that will publish it, and set
to ``SENT`` once SNS accepted it. Another delivery of the same event publishes only if it can take
the claim: released after a failed publish (``PENDING``), or abandoned (older than
``CLAIM_TIMEOUT_SECONDS``). Every write here is conditional, so two attempts never both hold it.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from typing import Any, Protocol

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from task_monitor import audit_schema as schema
from task_monitor.adapters.audit_items import (
    NOTIFICATION_NOT_WANTED,
    NOTIFICATION_PENDING,
    NOTIFICATION_PUBLISHING,
    NOTIFICATION_SENT,
    Record,
)
from task_monitor.adapters.dynamodb_codec import from_item, to_attribute
from task_monitor.domain.outcomes import SaveOutcome
from task_monitor.errors import NotificationInProgressError

# 1.5 times the function's timeout (60 s, checked by an infra test): a claim this old belongs to an
# invocation that died.
CLAIM_TIMEOUT_SECONDS = 90
# Marking an event SENT after SNS accepted it: rounds of botocore's own retries (four attempts each,
# for throttling, 5xx and dropped connections), plus this in-process loop for what botocore does not
# retry on a plain write: TransactionConflictException, when a concurrent duplicate delivery's
# transaction touches the item. Bounded: three rounds take at most ~25 s of backoff when throttled.
MARK_NOTIFIED_ATTEMPTS = 3
_TRANSIENT_CODES = frozenset(
    {
        "TransactionConflictException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class EventKeys(Protocol):
    """Where an announced record's item is (an ``ItemKind``'s event items; a budget's threshold items)."""

    def event_key(self, record: Record) -> dict[str, Any]: ...


class NotificationClaims:
    """The claim on one event's notification, kept on its event item."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        kind: EventKeys,
        now: Callable[[], float],
        sleep: Callable[[float], None] | None,
    ) -> None:
        self._client = client
        self._kind = kind
        self._table = table_name
        self._now = now
        self._sleep = sleep

    def resolve_duplicate(self, record: Record, claim: str | None, existing: dict[str, Any] | None) -> SaveOutcome:
        """The event was recorded before: is its notification still ours to send?"""
        stored = from_item(existing or {})
        state = stored.get("notification")
        if state not in (NOTIFICATION_PENDING, NOTIFICATION_PUBLISHING) or claim is None:
            return SaveOutcome.DUPLICATE
        if state == NOTIFICATION_PUBLISHING and stored.get("claimId") == claim:
            return SaveOutcome.DUPLICATE_UNANNOUNCED  # our own write, whose answer was lost
        if state == NOTIFICATION_PUBLISHING and self._now() - stored.get("claimedAt", 0) < CLAIM_TIMEOUT_SECONDS:
            raise NotificationInProgressError(
                f"event {record['eventId']} is being published by another invocation; retry later"
            )
        self._take(record, claim, stored)
        return SaveOutcome.DUPLICATE_UNANNOUNCED

    def _take(self, record: Record, claim: str, stored: dict[str, Any]) -> None:
        if stored.get("notification") == NOTIFICATION_PENDING:
            condition, values = "#notification = :pending", {":pending": {"S": NOTIFICATION_PENDING}}
        else:  # an abandoned claim: take it only if nobody took it since we read it
            condition = "#claimId = :stale"
            values = {":stale": {"S": stored["claimId"]}}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._kind.event_key(record),
                UpdateExpression="SET #notification = :publishing, #claimId = :claim, #claimedAt = :now",
                ConditionExpression=condition,
                ExpressionAttributeNames={
                    "#notification": "notification",
                    "#claimId": "claimId",
                    "#claimedAt": "claimedAt",
                },
                ExpressionAttributeValues={
                    **values,
                    ":publishing": {"S": NOTIFICATION_PUBLISHING},
                    ":claim": {"S": claim},
                    ":now": to_attribute(int(self._now())),
                },
                # A retry of a take whose answer was lost fails its condition against our own
                # write: the old item then names our claim, and the claim is ours after all.
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            if from_item(error.response.get("Item") or {}).get("claimId") == claim:
                return
            raise NotificationInProgressError(
                f"event {record['eventId']} was claimed by another invocation; retry later"
            ) from error

    def mark_sent(self, record: Record) -> None:
        """Set the event SENT. Called once SNS accepted the message, so a transient refusal is retried
        here, with jitter, rather than failing the event (whose redelivery would publish again)."""
        for attempt in range(MARK_NOTIFIED_ATTEMPTS):
            try:
                self._settle_notification(record, NOTIFICATION_SENT, "attribute_exists(#pk)", {})
                return
            except (ClientError, HTTPClientError, BotocoreConnectionError) as error:
                if attempt + 1 == MARK_NOTIFIED_ATTEMPTS or not _is_transient(error):
                    raise
                (self._sleep or time.sleep)(random.uniform(0.1, 0.4) * 2**attempt)

    def release(self, record: Record, claim: str) -> None:
        """After a failed publish: let the next delivery publish without waiting for the timeout."""
        with contextlib.suppress(ClientError):  # best effort: the claim times out anyway
            self._settle_notification(
                record, NOTIFICATION_PENDING, "attribute_exists(#pk) AND #claimId = :claim", {":claim": {"S": claim}}
            )

    def drop(self, record: Record, claim: str) -> None:
        """Nothing to announce after all: NOT_WANTED, if ``claim`` still holds the event. Best effort: a
        claim left in place times out, and the delivery that takes it finds nothing to announce either."""
        with contextlib.suppress(ClientError):
            self._settle_notification(
                record, NOTIFICATION_NOT_WANTED, "attribute_exists(#pk) AND #claimId = :claim", {":claim": {"S": claim}}
            )

    def _settle_notification(self, record: Record, state: str, condition: str, values: dict[str, Any]) -> None:
        """Set the event's notification state and drop its claim, if ``condition`` holds."""
        self._client.update_item(
            TableName=self._table,
            Key=self._kind.event_key(record),
            UpdateExpression="SET #notification = :state REMOVE #claimId, #claimedAt",
            ConditionExpression=condition,
            ExpressionAttributeNames={
                "#notification": "notification",
                "#pk": schema.PARTITION_KEY,
                "#claimId": "claimId",
                "#claimedAt": "claimedAt",
            },
            ExpressionAttributeValues={":state": {"S": state}, **values},
        )


def _is_transient(error: Exception) -> bool:
    """A refusal that the same request may not meet again: conflict, throttling, 5xx, a dropped connection."""
    if not isinstance(error, ClientError):
        return True  # HTTPClientError / ConnectionError: botocore's retries for them were spent
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in _TRANSIENT_CODES or status >= 500
