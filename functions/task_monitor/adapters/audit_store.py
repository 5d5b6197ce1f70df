"""The audit store: the save transaction that records an event and keeps the latest state right.

One ``TransactWriteItems`` per event on the normal path: put the event item (only if that event
id was never recorded) and update the latest-state item (only if the event ranks higher, or the
same at a later time). Its cancellation reasons say which condition failed: a duplicate (whose
notification ``notification_claims`` then settles), or a late event, recorded with what it can add
to the latest state. The items themselves are mapped in ``audit_items``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from task_monitor import audit_schema as schema
from task_monitor.adapters.audit_items import (
    PER_EVENT_ENRICHMENT,
    TASK_ITEMS,
    ItemKind,
    Record,
    stored_record,
)
from task_monitor.adapters.dynamodb_codec import from_item, to_attribute, to_item
from task_monitor.adapters.notification_claims import CLAIM_TIMEOUT_SECONDS, NotificationClaims
from task_monitor.adapters.refusals import DYNAMODB, permanent_refusals
from task_monitor.domain.arrival import ARRIVAL_FIELD, stored_arrival_dates_its_status, stored_arrival_joins_callers
from task_monitor.domain.callers import (
    CALLER_FIELDS,
    CANCEL_STATUSES,
    CANCELLED_BY,
    CREATED_BY,
    UNKNOWN_CALLER,
    UNKNOWN_PRINCIPAL,
    Caller,
    principal_only,
)
from task_monitor.domain.detail_types import JOINED_API_CALLS
from task_monitor.domain.outcomes import HistoryFacts, SaveOutcome
from task_monitor.domain.retention import DEFAULT_RETENTION, Retention
from task_monitor.domain.status import UNKNOWN_STATUS_RANK

__all__ = ["CLAIM_TIMEOUT_SECONDS", "DynamoAuditStore"]

TRANSACTION_CONFLICT_ATTEMPTS = 4
# Cancellation reasons a moment later may not repeat.
_RETRIED_IN_PROCESS = frozenset({"TransactionConflict", "ThrottlingError"})
# The latest state moves to a higher rank, or within a rank (only terminal statuses share one) to
# a later event, except that a status Braket itself confirmed (the event's status is the one
# GetQuantumTask reported) is never replaced by one it did not confirm.
_STORED_UNCONFIRMED = "(attribute_not_exists(#reported) OR #reported <> #status)"
# (No rank yet: no state event was recorded, though a CloudTrail call may have left who created it.)
_LATEST_MAY_MOVE_CONFIRMED = (
    "attribute_not_exists(#rank) OR #rank < :rank"
    f" OR (#rank = :rank AND (#eventTime < :eventTime OR {_STORED_UNCONFIRMED}))"
)
_LATEST_MAY_MOVE_UNCONFIRMED = (
    "attribute_not_exists(#rank) OR #rank < :rank"
    f" OR (#rank = :rank AND #eventTime < :eventTime AND {_STORED_UNCONFIRMED})"
)


@dataclass(frozen=True)
class _Written:
    """What became of an event written with its latest state: written, or which condition refused it
    (with the item the refusal returned: the event as stored, or the latest state as read)."""

    event_exists: bool = False
    update_refused: bool = False
    item: dict[str, Any] | None = None


class DynamoAuditStore:
    """Writes one kind's audit log (tasks by default); the function's only DynamoDB actions are
    GetItem, PutItem, UpdateItem and Query.

    A request DynamoDB refuses for itself (``ValidationException``: a key or item too large; a
    transaction cancelled for a ``ValidationError``) raises ``RequestRefusedError``: a transaction
    writes all or nothing, so such an event has written nothing.

    Every item it writes carries its expiry (``retention``): an event item from its write, the latest
    state from its last move; a caller joined onto the latest state is kept ``principal_only``."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        kind: ItemKind = TASK_ITEMS,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] | None = None,
        retention: Retention = DEFAULT_RETENTION,
    ) -> None:
        self._client = client
        self._table = table_name
        self._kind = kind
        self._now = now
        self._retention = retention
        self._sleep = sleep
        self._claims = NotificationClaims(client, table_name, kind=kind, now=now, sleep=sleep)

    @property
    def kind(self) -> ItemKind:
        return self._kind

    @permanent_refusals(DYNAMODB)
    def latest(self, arn: str) -> dict[str, Any] | None:
        """The resource's latest state as stored (storage attributes included), read consistently."""
        response = self._client.get_item(TableName=self._table, Key=self._kind.latest_key(arn), ConsistentRead=True)
        item = response.get("Item")
        return stored_record(from_item(item)) if item else None

    @permanent_refusals(DYNAMODB)
    def history_facts(self, arn: str) -> HistoryFacts:
        """What an ending resource's record takes from its history, in one query: when it started
        running, and who created and (first) cancelled it, from the API calls joined onto it."""
        call_names = {f":call{position}": {"S": name} for position, name in enumerate(JOINED_API_CALLS)}
        response = self._client.query(
            TableName=self._table,
            ConsistentRead=True,
            KeyConditionExpression="#pk = :pk AND begins_with(#sk, :events)",
            FilterExpression=" OR ".join(["#status = :running", *(f"#eventName = {name}" for name in call_names)]),
            ProjectionExpression="#pk, #sk, #eventTime, #eventName, #createdBy, #cancelledBy, #arrival",
            ExpressionAttributeNames={
                "#pk": schema.PARTITION_KEY,
                "#sk": schema.SORT_KEY,
                "#status": "status",
                "#eventTime": "eventTime",
                "#eventName": "eventName",
                "#createdBy": CREATED_BY,
                "#cancelledBy": CANCELLED_BY,
                "#arrival": ARRIVAL_FIELD,
            },
            ExpressionAttributeValues={
                ":pk": {"S": self._kind.key(arn)},
                ":events": {"S": schema.EVENT_PREFIX},
                ":running": {"S": "RUNNING"},
                **call_names,
            },
        )
        items = [stored_record(from_item(item)) for item in response.get("Items", [])]  # compact: time in sk
        # What the filter let through is a call or else a RUNNING event.
        # A backfilled RUNNING record says the task ran, not since when: it dates nothing.
        times = [
            item["eventTime"]
            for item in items
            if item.get("eventName") not in JOINED_API_CALLS and stored_arrival_dates_its_status(item)
        ]
        return HistoryFacts(
            running_since=min(times) if times else None,
            created_by=_first_caller(items, CREATED_BY),
            cancelled_by=_first_caller(items, CANCELLED_BY),
        )

    @permanent_refusals(DYNAMODB)
    def join_call(self, record: Record, role: str) -> SaveOutcome:
        """Record an API call once in its target's history and name its caller on the latest state.

        One transaction: the call's event item (only if that event id was never recorded; it has no
        status, so it ranks nowhere and never moves the latest state) and ``role`` on the latest
        state (created with only the caller if no state event came yet), unless the latest state
        already names a real caller that stays: the creator (one create call per resource), or an
        earlier canceller. Then the call is recorded in the history alone."""
        put_event = self._put_event_request(record, claim=None)
        written = self._write_event_with(put_event, self._join_caller_request(record, role))
        if written.event_exists:
            return SaveOutcome.DUPLICATE
        if written.update_refused:
            return self._put_event_alone(put_event, record, None)
        return SaveOutcome.RECORDED

    @permanent_refusals(DYNAMODB)
    def keep_call(self, record: Record) -> SaveOutcome:
        """Record an API call once in its target's history, naming no caller on the latest state: a
        call whose arrival does not vouch for it (one PutItem). ``history_facts`` passes it over too."""
        return self._put_event_alone(self._put_event_request(record, claim=None), record, None)

    @permanent_refusals(DYNAMODB)
    def save(self, record: Record, *, claim: str | None) -> SaveOutcome:
        """Record the event; ``claim`` (when the event is to be notified) names this invocation."""
        put_event = self._put_event_request(record, claim)
        if self._kind.rank(record) == UNKNOWN_STATUS_RANK:
            # A status we cannot place in the lifecycle is audited but never moves the latest state.
            return self._put_event_alone(put_event, record, claim)
        written = self._write_event_with(put_event, self._update_latest_request(record))
        if written.event_exists:
            return self._claims.resolve_duplicate(record, claim, written.item)
        if written.update_refused:
            return self._record_late(put_event, record, claim, stored_record(from_item(written.item or {})))
        return SaveOutcome.RECORDED

    # -- notification claims -----------------------------------------------------------------
    def mark_notified(self, record: Record) -> None:
        """Set the event SENT, retrying transient refusals in-process (see ``NotificationClaims``)."""
        self._claims.mark_sent(record)

    def release_claim(self, record: Record, claim: str) -> None:
        """After a failed publish: let the next delivery publish without waiting for the timeout."""
        self._claims.release(record, claim)

    def drop_claim(self, record: Record, claim: str) -> None:
        """Another event announces what this one would have: settle its claim as NOT_WANTED."""
        self._claims.drop(record, claim)

    # -- internals -------------------------------------------------------------------------
    def _expiry(self, record: Record) -> dict[str, int]:
        """The item's expiry attribute (none when the retention keeps it)."""
        expires = self._retention.expires_at(record, self._now())
        return {} if expires is None else {schema.EXPIRY_ATTRIBUTE: expires}

    def _put_event_request(self, record: Record, claim: str | None) -> dict[str, Any]:
        item = {**self._kind.event_item(record, claim=claim, claimed_at=int(self._now())), **self._expiry(record)}
        return {
            "TableName": self._table,
            "Item": to_item(item),
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": schema.PARTITION_KEY},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _update_latest_request(self, record: Record) -> dict[str, Any]:
        """An update, not a put: what this event does not know (its enrichment failed, say) keeps
        the value an earlier event recorded, so tags, job and reservation are never lost."""
        item = {**self._kind.latest_item(record), **self._expiry(record)}
        names = {
            "#rank": "statusRank",
            "#eventTime": "eventTime",
            "#reported": "statusAtEnrichment",
            "#status": "status",
        }
        values = {":rank": to_attribute(item["statusRank"]), ":eventTime": to_attribute(item["eventTime"])}
        assignments = []
        for position, (name, value) in enumerate(sorted({**self._unknown_callers(item), **item}.items())):
            names[f"#a{position}"] = name
            values[f":a{position}"] = to_attribute(value)
            # Callers are joined by join_call; a state event only says "unknown" where none is yet.
            target = f"if_not_exists(#a{position}, :a{position})" if name in CALLER_FIELDS else f":a{position}"
            assignments.append(f"#a{position} = {target}")
        removals = []
        left_out = (
            *(field for field in PER_EVENT_ENRICHMENT if field not in item),
            *self._kind.left_out_of_latest(item),
        )
        for position, name in enumerate(left_out):
            names[f"#r{position}"] = name
            removals.append(f"#r{position}")
        expression = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
        return {
            "TableName": self._table,
            "Key": self._kind.latest_key(self._kind.arn(record)),
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

    def _unknown_callers(self, item: Record) -> dict[str, Caller]:
        """Who created (and, once cancelling, cancelled) the resource, until a CloudTrail call says."""
        if not self._kind.kind.has_callers:
            return {}
        unknown = {CREATED_BY: UNKNOWN_CALLER}
        if item.get("status") in CANCEL_STATUSES:
            unknown[CANCELLED_BY] = UNKNOWN_CALLER
        return unknown

    def _join_caller_request(self, record: Record, role: str) -> dict[str, Any]:
        """Name the caller under ``role`` unless a real caller that must stay is there already."""
        caller = record[role]
        condition = "attribute_not_exists(#role) OR #role.#principal = :unknown"
        kept = principal_only(caller)
        values = {":caller": to_attribute(kept), ":unknown": to_attribute(UNKNOWN_PRINCIPAL)}
        names = {"#role": role, "#principal": "principal"}
        update = "SET #role = :caller"
        expiry = self._expiry({role: kept})
        if expiry:  # a latest state made by the call alone expires like any other; a move refreshes it
            names["#expires"] = schema.EXPIRY_ATTRIBUTE
            values[":expires"] = to_attribute(expiry[schema.EXPIRY_ATTRIBUTE])
            update += ", #expires = if_not_exists(#expires, :expires)"
        if role == CANCELLED_BY:  # of several cancels, the earliest is who cancelled it
            condition += " OR #role.#callTime > :callTime"
            names["#callTime"] = "eventTime"
            values[":callTime"] = to_attribute(caller.get("eventTime", record["eventTime"]))
        return {
            "TableName": self._table,
            "Key": self._kind.latest_key(self._kind.arn(record)),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def _record_late(
        self, put_event: dict[str, Any], record: Record, claim: str | None, latest: dict[str, Any]
    ) -> SaveOutcome:
        """A late event: record it, and let it fill what the latest state lacks, never moving it.

        One transaction (the event's put, and an update of the latest state guarded by its status and
        event time as just read) when there is something to fill, else one PutItem: either way a late
        event costs two round trips, as before. If the latest state moved meanwhile, the event is
        recorded alone (the fill is skipped, never wrong)."""
        fill = self._kind.gap_fill(record, latest)
        if not fill:
            return self._put_event_alone(put_event, record, claim)
        written = self._write_event_with(put_event, self._fill_latest_request(record, latest, fill))
        if written.event_exists:
            return self._claims.resolve_duplicate(record, claim, written.item)
        if written.update_refused:  # the latest state moved meanwhile: the fill is skipped, never wrong
            return self._put_event_alone(put_event, record, claim)
        return SaveOutcome.RECORDED_LATE

    def _fill_latest_request(self, record: Record, latest: dict[str, Any], fill: dict[str, Any]) -> dict[str, Any]:
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
            "Key": self._kind.latest_key(self._kind.arn(record)),
            "UpdateExpression": "SET " + ", ".join(assignments),
            "ConditionExpression": "#status = :status AND #eventTime = :eventTime",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def _write_event_with(self, put_event: dict[str, Any], update: dict[str, Any]) -> _Written:
        """One transaction: the event's write-once put and one conditional update of the latest state.

        The one place the store writes an event with its latest state (``save``, the late path and
        ``join_call``). Its cancellation reasons say which condition failed: the event was recorded
        before (with the item as stored), or the update's condition refused it (with the latest state
        as read). A conflict with another write of the same resource, or a hot index partition's
        throttling (which botocore does not retry inside a transaction), is tried again shortly rather
        than handing the event back to the queue. Anything else is raised (``permanent_refusals`` on
        the public methods turns a refusal of the request itself into ``RequestRefusedError``)."""
        for attempt in range(TRANSACTION_CONFLICT_ATTEMPTS):
            try:
                self._client.transact_write_items(TransactItems=[{"Put": put_event}, {"Update": update}])
                return _Written()
            except ClientError as error:
                reasons = _cancellation_codes(error)
                if reasons[:1] == ["ConditionalCheckFailed"]:
                    return _Written(event_exists=True, item=error.response["CancellationReasons"][0].get("Item"))
                if reasons[1:2] == ["ConditionalCheckFailed"]:
                    return _Written(update_refused=True, item=error.response["CancellationReasons"][1].get("Item"))
                if _RETRIED_IN_PROCESS & set(reasons) and attempt + 1 < TRANSACTION_CONFLICT_ATTEMPTS:
                    (self._sleep or time.sleep)(random.uniform(0.05, 0.2) * 2**attempt)
                    continue
                raise
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _put_event_alone(self, put_event: dict[str, Any], record: Record, claim: str | None) -> SaveOutcome:
        """Record the event without touching the latest state (one PutItem)."""
        try:
            self._client.put_item(**put_event)
            return SaveOutcome.RECORDED_LATE
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self._claims.resolve_duplicate(record, claim, error.response.get("Item"))


def _first_caller(items: list[dict[str, Any]], role: str) -> Caller | None:
    """The earliest real caller of the calls in ``role`` recorded in a history, or None; a call kept
    unjoined (its arrival did not vouch for it: ``domain.arrival``) names nobody."""
    callers = [
        item[role]
        for item in items
        if item.get("eventName") in JOINED_API_CALLS and role in item and stored_arrival_joins_callers(item)
    ]
    known = [caller for caller in callers if caller.get("principal", UNKNOWN_PRINCIPAL) != UNKNOWN_PRINCIPAL]
    return min(known, key=lambda caller: str(caller.get("eventTime", ""))) if known else None


def _cancellation_codes(error: ClientError) -> list[str | None]:
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        if error.response.get("Error", {}).get("Code") == "TransactionConflictException":
            return ["TransactionConflict"]
        raise error
    return [reason.get("Code") for reason in error.response.get("CancellationReasons") or []]
