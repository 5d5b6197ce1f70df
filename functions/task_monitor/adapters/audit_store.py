"""The audit table: event items, the latest-state item, and the writes that keep them right.

One ``TransactWriteItems`` per event on the normal path: put the event item (only if that event
id was never recorded) and update the latest-state item (only if the event ranks higher, or the
same at a later time). Its cancellation reasons say which condition failed: a duplicate, or a
late event that is then recorded alone.

Notifications are claimed, not just flagged: an event to notify is written ``PUBLISHING`` with
the id of the invocation that will publish it, and set to ``SENT`` once SNS accepted it. Another
delivery of the same event publishes only if it can take the claim: the claim was released after
a failed publish (``PENDING``), or its holder died (older than ``CLAIM_TIMEOUT_SECONDS``).
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from task_monitor import audit_schema as schema
from task_monitor.adapters.dynamodb_codec import from_item, to_attribute, to_item
from task_monitor.domain.ports import SaveOutcome
from task_monitor.domain.status import UNKNOWN_STATUS_RANK, is_terminal, rank
from task_monitor.domain.timefmt import seconds_between
from task_monitor.errors import AuditWriteError, NotificationInProgressError

NOTIFICATION_PENDING = "PENDING"  # to be published; nobody holds the claim
NOTIFICATION_PUBLISHING = "PUBLISHING"  # an invocation holds the claim and is publishing
NOTIFICATION_SENT = "SENT"
NOTIFICATION_NOT_WANTED = "NOT_WANTED"

# 1.5 times the function's timeout (60 s, checked by an infra test): a claim this old belongs to an
# invocation that died.
CLAIM_TIMEOUT_SECONDS = 90
TRANSACTION_CONFLICT_ATTEMPTS = 4
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

# Attributes that exist for DynamoDB's sake, not the reader's.
STORAGE_ATTRIBUTES = frozenset(schema.key_attribute_names()) | {
    "itemType",
    "statusRank",
    "notification",
    "claimId",
    "claimedAt",
}
# Facts about one event that the latest state must not keep from an earlier event.
PER_EVENT_ENRICHMENT = ("statusAtEnrichment", "enrichedAt", "enrichmentError")

# The latest state moves to a higher rank, or within a rank (only terminal statuses share one) to
# a later event, except that a status Braket itself confirmed (the event's status is the one
# GetQuantumTask reported) is never replaced by one it did not confirm.
_STORED_UNCONFIRMED = "(attribute_not_exists(#reported) OR #reported <> #status)"
_LATEST_MAY_MOVE_CONFIRMED = (
    "attribute_not_exists(#pk) OR #rank < :rank"
    f" OR (#rank = :rank AND (#eventTime < :eventTime OR {_STORED_UNCONFIRMED}))"
)
_LATEST_MAY_MOVE_UNCONFIRMED = (
    "attribute_not_exists(#pk) OR #rank < :rank"
    f" OR (#rank = :rank AND #eventTime < :eventTime AND {_STORED_UNCONFIRMED})"
)


def task_key(task_arn: str) -> str:
    return f"{schema.TASK_PREFIX}{task_arn}"


def event_sort_key(record: dict[str, Any]) -> str:
    """Event time first, then rank (events in the same second), then id: history order."""
    return f"{schema.EVENT_PREFIX}{record['eventTime']}#{rank(record['status']):02d}#{record['eventId']}"


def event_item(record: dict[str, Any], *, claim: str | None, claimed_at: int) -> dict[str, Any]:
    item = {
        **record,
        schema.PARTITION_KEY: task_key(record["quantumTaskArn"]),
        schema.SORT_KEY: event_sort_key(record),
        "itemType": "EVENT",
        "notification": NOTIFICATION_PUBLISHING if claim else NOTIFICATION_NOT_WANTED,
    }
    if claim:
        item.update(claimId=claim, claimedAt=claimed_at)
    return item


def latest_item(record: dict[str, Any]) -> dict[str, Any]:
    arn = record["quantumTaskArn"]
    created = record.get("createdAt") or record["eventTime"]
    item = {
        **record,
        "itemType": "LATEST",
        "statusRank": rank(record["status"]),
        schema.DEVICE_INDEX.partition_key: f"DEVICE#{record['deviceArn']}",
        schema.DEVICE_INDEX.sort_key: f"{created}#{arn}",
        schema.STATUS_INDEX.partition_key: f"STATUS#{record['status']}",
        schema.STATUS_INDEX.sort_key: f"{record['eventTime']}#{arn}",
    }
    if record.get("jobArn"):
        item[schema.JOB_INDEX.partition_key] = f"JOB#{record['jobArn']}"
        item[schema.JOB_INDEX.sort_key] = f"{created}#{arn}"
    return item


def record_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as the reader sees it: plain values, no storage attributes."""
    return {key: value for key, value in from_item(item).items() if key not in STORAGE_ATTRIBUTES}


class DynamoAuditStore:
    """Writes the audit log; the function's only DynamoDB actions are PutItem, UpdateItem, Query."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client = client
        self._table = table_name
        self._now = now
        self._sleep = sleep

    def running_since(self, task_arn: str) -> str | None:
        response = self._client.query(
            TableName=self._table,
            ConsistentRead=True,
            KeyConditionExpression="#pk = :pk AND begins_with(#sk, :events)",
            FilterExpression="#status = :running",
            ProjectionExpression="#eventTime",
            ExpressionAttributeNames={
                "#pk": schema.PARTITION_KEY,
                "#sk": schema.SORT_KEY,
                "#status": "status",
                "#eventTime": "eventTime",
            },
            ExpressionAttributeValues={
                ":pk": {"S": task_key(task_arn)},
                ":events": {"S": schema.EVENT_PREFIX},
                ":running": {"S": "RUNNING"},
            },
        )
        times = [item["eventTime"]["S"] for item in response.get("Items", [])]
        return min(times) if times else None

    def save(self, record: dict[str, Any], *, claim: str | None) -> SaveOutcome:
        """Record the event; ``claim`` (when the event is to be notified) names this invocation."""
        put_event = self._put_event_request(record, claim)
        if rank(record["status"]) == UNKNOWN_STATUS_RANK:
            # A status we cannot place in the lifecycle is audited but never moves the latest state.
            return self._put_event_alone(put_event, record, claim)
        for attempt in range(TRANSACTION_CONFLICT_ATTEMPTS):
            try:
                self._client.transact_write_items(
                    TransactItems=[{"Put": put_event}, {"Update": self._update_latest_request(record)}]
                )
                return SaveOutcome.RECORDED
            except ClientError as error:
                reasons = _cancellation_codes(error)
                if reasons[:1] == ["ConditionalCheckFailed"]:
                    return self._duplicate(record, claim, error.response["CancellationReasons"][0].get("Item"))
                if reasons[1:2] == ["ConditionalCheckFailed"]:
                    latest = from_item(error.response["CancellationReasons"][1].get("Item") or {})
                    return self._record_late(put_event, record, claim, latest)
                if "TransactionConflict" in reasons and attempt + 1 < TRANSACTION_CONFLICT_ATTEMPTS:
                    # Another event of the same task is being written right now: try again shortly.
                    (self._sleep or time.sleep)(random.uniform(0.05, 0.2) * 2**attempt)
                    continue
                if "ValidationError" in reasons:
                    details = "; ".join(
                        reason.get("Message", "")
                        for reason in error.response.get("CancellationReasons", [])
                        if reason.get("Code") == "ValidationError"
                    )
                    raise AuditWriteError(f"DynamoDB rejected the audit record: {details}") from error
                raise
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def mark_notified(self, record: dict[str, Any]) -> None:
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

    def release_claim(self, record: dict[str, Any], claim: str) -> None:
        """After a failed publish: let the next delivery publish without waiting for the timeout."""
        with contextlib.suppress(ClientError):  # best effort: the claim times out anyway
            self._settle_notification(
                record, NOTIFICATION_PENDING, "attribute_exists(#pk) AND #claimId = :claim", {":claim": {"S": claim}}
            )

    # -- internals -------------------------------------------------------------------------
    def _settle_notification(self, record: dict[str, Any], state: str, condition: str, values: dict[str, Any]) -> None:
        """Set the event's notification state and drop its claim, if ``condition`` holds."""
        self._client.update_item(
            TableName=self._table,
            Key=self._event_key(record),
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

    def _event_key(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            schema.PARTITION_KEY: {"S": task_key(record["quantumTaskArn"])},
            schema.SORT_KEY: {"S": event_sort_key(record)},
        }

    def _put_event_request(self, record: dict[str, Any], claim: str | None) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Item": to_item(event_item(record, claim=claim, claimed_at=int(self._now()))),
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _update_latest_request(self, record: dict[str, Any]) -> dict[str, Any]:
        """An update, not a put: what this event does not know (its enrichment failed, say) keeps
        the value an earlier event recorded, so tags, job and reservation are never lost."""
        item = latest_item(record)
        names = {
            "#pk": schema.PARTITION_KEY,
            "#rank": "statusRank",
            "#eventTime": "eventTime",
            "#reported": "statusAtEnrichment",
            "#status": "status",
        }
        values = {":rank": to_attribute(item["statusRank"]), ":eventTime": to_attribute(item["eventTime"])}
        assignments = []
        for position, (name, value) in enumerate(sorted(item.items())):
            names[f"#a{position}"] = name
            values[f":a{position}"] = to_attribute(value)
            assignments.append(f"#a{position} = :a{position}")
        removals = []
        for position, name in enumerate(field for field in PER_EVENT_ENRICHMENT if field not in item):
            names[f"#r{position}"] = name
            removals.append(f"#r{position}")
        expression = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
        return {
            "TableName": self._table,
            "Key": {
                schema.PARTITION_KEY: {"S": task_key(record["quantumTaskArn"])},
                schema.SORT_KEY: {"S": schema.LATEST_SORT_KEY},
            },
            "UpdateExpression": expression,
            "ConditionExpression": (
                _LATEST_MAY_MOVE_CONFIRMED
                if record.get("statusAtEnrichment") == record["status"]
                else _LATEST_MAY_MOVE_UNCONFIRMED
            ),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            # A late event reads the latest state from the cancellation, to fill its gaps.
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _record_late(
        self, put_event: dict[str, Any], record: dict[str, Any], claim: str | None, latest: dict[str, Any]
    ) -> SaveOutcome:
        """A late event: record it, and let it fill what the latest state lacks, never moving it.

        One transaction (the event's put, and an update of the latest state guarded by its status and
        event time as just read) when there is something to fill, else one PutItem: either way a late
        event costs two round trips, as before. If the latest state moved meanwhile, the event is
        recorded alone (the fill is skipped, never wrong)."""
        fill = _gap_fill(record, latest)
        if not fill:
            return self._put_event_alone(put_event, record, claim)
        try:
            self._client.transact_write_items(
                TransactItems=[{"Put": put_event}, {"Update": self._fill_latest_request(record, latest, fill)}]
            )
            return SaveOutcome.RECORDED_LATE
        except ClientError as error:
            reasons = _cancellation_codes(error)
            if reasons[:1] == ["ConditionalCheckFailed"]:
                return self._duplicate(record, claim, error.response["CancellationReasons"][0].get("Item"))
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                return self._put_event_alone(put_event, record, claim)
            raise

    def _fill_latest_request(
        self, record: dict[str, Any], latest: dict[str, Any], fill: dict[str, Any]
    ) -> dict[str, Any]:
        names = {"#status": "status", "#eventTime": "eventTime"}
        values = {":status": to_attribute(latest["status"]), ":eventTime": to_attribute(latest["eventTime"])}
        assignments = []
        for position, (name, value) in enumerate(sorted(fill.items())):
            names[f"#f{position}"] = name
            values[f":f{position}"] = to_attribute(value)
            # timings is derived from the latest state as read (guarded by the condition); the rest
            # are the task's own facts, which a concurrent fill may have written first: keep those.
            target = f":f{position}" if name == "timings" else f"if_not_exists(#f{position}, :f{position})"
            assignments.append(f"#f{position} = {target}")
        return {
            "TableName": self._table,
            "Key": {
                schema.PARTITION_KEY: {"S": task_key(record["quantumTaskArn"])},
                schema.SORT_KEY: {"S": schema.LATEST_SORT_KEY},
            },
            "UpdateExpression": "SET " + ", ".join(assignments),
            "ConditionExpression": "#status = :status AND #eventTime = :eventTime",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def _put_event_alone(self, put_event: dict[str, Any], record: dict[str, Any], claim: str | None) -> SaveOutcome:
        """Record the event without touching the latest state (one PutItem)."""
        try:
            self._client.put_item(**put_event)
            return SaveOutcome.RECORDED_LATE
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self._duplicate(record, claim, error.response.get("Item"))

    def _duplicate(self, record: dict[str, Any], claim: str | None, existing: dict[str, Any] | None) -> SaveOutcome:
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
        self._take_claim(record, claim, stored)
        return SaveOutcome.DUPLICATE_UNANNOUNCED

    def _take_claim(self, record: dict[str, Any], claim: str, stored: dict[str, Any]) -> None:
        if stored.get("notification") == NOTIFICATION_PENDING:
            condition, values = "#notification = :pending", {":pending": {"S": NOTIFICATION_PENDING}}
        else:  # an abandoned claim: take it only if nobody took it since we read it
            condition = "#claimId = :stale"
            values = {":stale": {"S": stored["claimId"]}}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._event_key(record),
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


def _cancellation_codes(error: ClientError) -> list[str | None]:
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        if error.response.get("Error", {}).get("Code") == "TransactionConflictException":
            return ["TransactionConflict"]
        raise error
    return [reason.get("Code") for reason in error.response.get("CancellationReasons") or []]


def _is_transient(error: Exception) -> bool:
    """A refusal that the same request may not meet again: conflict, throttling, 5xx, a dropped connection."""
    if not isinstance(error, ClientError):
        return True  # HTTPClientError / ConnectionError: botocore's retries for them were spent
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in _TRANSIENT_CODES or status >= 500


# Facts about the task rather than one of its states: a late event may give them to the latest state.
# (queueInfo, failureReason and numSuccessfulShots describe a moment or an end; they are not filled.)
TASK_FACTS = ("tags", "jobArn", "actionMetadata", "associations", "experimentalCapabilities")


def _gap_fill(record: dict[str, Any], latest: dict[str, Any]) -> dict[str, Any]:
    """What a late event knows that the latest state (as read) lacks; never its status, time or keys."""
    if not latest or latest.get("itemType") != "LATEST":
        return {}
    fill = {name: record[name] for name in TASK_FACTS if name in record and name not in latest}
    if "jobArn" in fill:  # newly learned job: the task joins the job index, sorted by its creation
        created = latest.get("createdAt") or latest["eventTime"]
        fill[schema.JOB_INDEX.partition_key] = f"JOB#{fill['jobArn']}"
        fill[schema.JOB_INDEX.sort_key] = f"{created}#{record['quantumTaskArn']}"
    timings = _timings_with_running(record, latest)
    if timings is not None:
        fill["timings"] = timings
    return fill


def _timings_with_running(record: dict[str, Any], latest: dict[str, Any]) -> dict[str, Any] | None:
    """A late RUNNING event dates the start: createdAt -> it is queued, it -> endedAt is running."""
    if record["status"] != "RUNNING" or not is_terminal(latest.get("status", "")):
        return None
    known = dict(latest.get("timings") or {})
    split = {
        "queuedSeconds": seconds_between(latest.get("createdAt") or record.get("createdAt"), record["eventTime"]),
        "runningSeconds": seconds_between(record["eventTime"], latest.get("endedAt")),
    }
    added = {name: value for name, value in split.items() if value is not None and name not in known}
    return {**known, **added} if added else None
