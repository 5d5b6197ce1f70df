"""Announce an event once: the claim, the publish within its deadline, and the SENT mark.

Shared by every kind. The store hands an event's notification to one attempt at a time (the
claim, taken when the event is saved); this step publishes only while that claim is sure to outlive
the publish, gives the claim back if the publish fails, and marks the event SENT once SNS took it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from task_monitor.domain.notification_model import Notification
from task_monitor.domain.outcomes import Recorded, SaveOutcome
from task_monitor.errors import ClaimExpiredError

if TYPE_CHECKING:
    from task_monitor.domain.ports import NotificationStore, Publisher

# A claim names one attempt at publishing; only attempts on the same event within the claim's timeout
# can meet, so 64 random bits are plenty, and 20 bytes fewer than a UUID keep the event item under 1 KB.
CLAIM_HEX_DIGITS = 16


def new_claim() -> str:
    """A fresh claim id: 16 hexadecimal digits of a random UUID."""
    return uuid.uuid4().hex[:CLAIM_HEX_DIGITS]


# DynamoDB stores a claim's time in whole seconds (rounded down), so another attempt may see it as
# up to this much older than it is.
CLAIM_TIME_RESOLUTION_SECONDS = 1.0


class Announcer:
    def __init__(
        self, publisher: Publisher, *, claim_timeout_seconds: float, now: Callable[[], float] = time.time
    ) -> None:
        self._publisher = publisher
        self._claim_timeout = claim_timeout_seconds
        self._now = now

    def record_and_announce(
        self,
        store: NotificationStore,
        record: Mapping[str, Any],
        *,
        notify: bool,
        render: Callable[[], Notification],
        announce_late: bool = True,
    ) -> Recorded:
        """Save the event, with a claim on its notification if ``notify``, and publish it once.

        A duplicate whose notification went out is left alone. ``announce_late=False`` gives the
        claim back for an event the latest state had already passed (old news, for a device)."""
        claim = new_claim() if notify else None
        claimed_from = self._now()
        outcome = store.save(record, claim=claim)
        if claim is None or outcome is SaveOutcome.DUPLICATE:
            return Recorded(outcome)
        if outcome is SaveOutcome.RECORDED_LATE and not announce_late:
            store.release_claim(record, claim)
            return Recorded(outcome)
        message_id, unmarked = self.announce(store, record, claim, claimed_from, render)
        return Recorded(outcome, message_id, unmarked)

    def announce(
        self,
        store: NotificationStore,
        record: Mapping[str, Any],
        claim: str,
        claimed_from: float,
        render: Callable[[], Notification],
    ) -> tuple[str, str | None]:
        """Publish the record's notification under ``claim``; return the message id and, if the
        SENT mark could not be written, that error's name.

        The event stays "being published" until SNS accepts it, so a failed publish, or a lost
        answer, leaves the redelivered event something still to do."""
        self._check_claim_outlasts_a_publish(store, record, claim, claimed_from)
        try:
            message_id = self._publisher.publish(render())
        except Exception:
            store.release_claim(record, claim)
            raise
        return message_id, self._mark_notified(store, record)

    def _check_claim_outlasts_a_publish(
        self, store: NotificationStore, record: Mapping[str, Any], claim: str, claimed_from: float
    ) -> None:
        """Publish only while the claim is sure to outlive the publish call; otherwise give it back.

        Another attempt may take a claim older than the claim timeout. A run stalled between taking
        the claim and publishing (a frozen container, a starved replay on a laptop) must therefore
        not publish unless the longest possible publish still ends inside the claim's lifetime."""
        deadline = (
            claimed_from + self._claim_timeout - CLAIM_TIME_RESOLUTION_SECONDS - self._publisher.longest_publish_seconds
        )
        if self._now() > deadline:
            store.release_claim(record, claim)
            raise ClaimExpiredError(
                f"event {record['eventId']}: the claim is too old to outlast a publish; left for a redelivery"
            )

    @staticmethod
    def _mark_notified(store: NotificationStore, record: Mapping[str, Any]) -> str | None:
        """Mark the event SENT; never fail the event for it, since SNS already accepted the message.

        The store retries transient refusals itself. If it still cannot, the event stays claimed
        (PUBLISHING) and is only at risk of one repeat: a delivery of the same event arriving after
        the claim expired would publish it again. Returns the error's name, for logs and metrics."""
        try:
            store.mark_notified(record)
        except Exception as error:
            return type(error).__name__
        return None
