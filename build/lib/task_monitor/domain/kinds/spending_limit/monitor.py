"""The pipeline for one spend event: its limit's timeline, and each threshold announced once.

Every event is recorded once in ``SPENDING_LIMIT#<spendingLimitArn>`` (the latest state ordered by
period, then total spend: ``record.spend_rank``). An event whose total spend reached a threshold is
saved with a claim on its notification; then the limit's threshold mark for the period
(``ThresholdMarks``) says which thresholds this event announces: those it raised the mark to, not
announced by another event. None (a duplicate, a late event, another event that won the race): the
claim is dropped. Some: one message names the highest ("crossed 80 % (and 50 %)"), published under the
claim, so a failed publish is retried by the redelivery and a lost answer repeats at most once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.kinds.spending_limit.event import parse_spend_change
from task_monitor.domain.kinds.spending_limit.notification import render_threshold_notification
from task_monitor.domain.kinds.spending_limit.record import DEFAULT_THRESHOLDS, build_spend_record
from task_monitor.domain.outcomes import Recorded, SaveOutcome
from task_monitor.domain.registry import SPENDING_LIMIT
from task_monitor.domain.results import ProcessingResult

if TYPE_CHECKING:
    from task_monitor.domain.ports import SpendStore, ThresholdMarks


class SpendingLimitMonitor:
    """Turns one spend event into a timeline entry and, for a threshold newly crossed, one notification."""

    def __init__(
        self,
        store: SpendStore,
        marks: ThresholdMarks,
        announcer: Announcer,
        *,
        thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._marks = marks
        self._announcer = announcer
        self._thresholds = tuple(sorted(thresholds))
        self._now = now

    def process(self, event: Any, arrival: Arrival) -> ProcessingResult:
        change = parse_spend_change(event)  # InvalidEventError: nothing read or written
        record = build_spend_record(change, thresholds=self._thresholds, arrival=arrival.field())
        reached = record.get("thresholdReached")
        claim = str(uuid.uuid4()) if reached else None
        claimed_from = self._now()
        outcome = self._store.save(record, claim=claim)
        if claim is None or reached is None or outcome is SaveOutcome.DUPLICATE:
            return ProcessingResult.of(SPENDING_LIMIT.name, record, Recorded(outcome))
        try:
            announced = self._marks.advance(
                change.spending_limit_arn, change.period_key, reached, self._thresholds, change.event_id
            )
        except Exception:
            self._store.release_claim(record, claim)  # the redelivery decides, without waiting for the timeout
            raise
        if not announced:
            self._store.drop_claim(record, claim)
            return ProcessingResult.of(SPENDING_LIMIT.name, record, Recorded(outcome))
        crossing = {**record, "thresholdsCrossed": sorted(announced, reverse=True)}
        message_id, unmarked = self._announcer.announce(
            self._store, record, claim, claimed_from, lambda: render_threshold_notification(crossing)
        )
        return ProcessingResult.of(SPENDING_LIMIT.name, crossing, Recorded(outcome, message_id, unmarked))
