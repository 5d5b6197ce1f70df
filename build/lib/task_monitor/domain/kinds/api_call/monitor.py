"""The pipeline for a Braket API call through CloudTrail: join who made it onto its task or job.

CloudTrail delivery is best effort: a call may come before or after the target's state events,
twice, or never. The store records the call once in the target's history and, in the same write,
names the caller on the latest state (``createdBy`` or ``cancelledBy``), so the result is the same
in any order. Nothing is announced: the target's own ending notification names its callers.

Only a call whose arrival vouches for it (``Arrival.joins_callers``: through the events queue, or an
operator's replay of a dead letter) names a caller. Any other (a direct invocation, a batch from
another queue, a replay of an event file) is kept in the target's history, its ``arrival`` saying how
it came, and never joined: whoever may invoke the function cannot make themselves a task's creator.

A CreateQuantumTask a spending limit refused is recorded and announced (``refused.py``); any other
failed call is counted and not written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from task_monitor.domain.arrival import Arrival
from task_monitor.domain.callers import CREATED_BY
from task_monitor.domain.kinds.api_call.event import parse_api_call
from task_monitor.domain.kinds.api_call.refused import is_spending_limit_refusal
from task_monitor.domain.outcomes import Recorded, SaveOutcome
from task_monitor.domain.results import ProcessingResult

if TYPE_CHECKING:
    from task_monitor.domain.kinds.api_call.refused import RefusedTaskRecorder
    from task_monitor.domain.ports import Budgets, CallJoinStore

API_CALL_SOURCE = "apiCall"


class ApiCallMonitor:
    """Turns one CloudTrail-borne call into a joined caller on its task's or job's audit log."""

    def __init__(
        self,
        stores: Mapping[str, CallJoinStore],
        budgets: Budgets | None = None,
        refused: RefusedTaskRecorder | None = None,
    ) -> None:
        self._stores = dict(stores)  # by target kind: "task", "job"
        self._budgets = budgets
        self._refused = refused  # tasks a spending limit refused (``refused.py``)

    def process(self, event: Any, arrival: Arrival) -> ProcessingResult:
        call = parse_api_call(event)  # InvalidEventError: nothing called, nothing written
        record = call.record(arrival.field())
        if not call.joinable and self._refused is not None and is_spending_limit_refusal(call):
            return self._refused.process(call, arrival)  # recorded, and announced if the arrival vouches
        if not call.joinable:
            # A failed call created or cancelled nothing: valid input, nothing to join or keep.
            return ProcessingResult.of(call.kind, record, Recorded(SaveOutcome.NOT_RECORDED), source=API_CALL_SOURCE)
        store = self._stores[call.kind]
        if not arrival.joins_callers:
            kept = store.keep_call(record)
            unjoined = SaveOutcome.KEPT_UNJOINED if kept is SaveOutcome.RECORDED_LATE else kept
            return ProcessingResult.of(call.kind, record, Recorded(unjoined), source=API_CALL_SOURCE)
        outcome = store.join_call(record, call.role)
        result = ProcessingResult.of(call.kind, record, Recorded(outcome), source=API_CALL_SOURCE)
        if self._budgets is None or call.kind != "task" or call.role != CREATED_BY or call.target_arn is None:
            return result
        # A creator learned late (even after the task ended) still counts the task in its budgets.
        return dataclasses.replace(result, budgets=self._budgets.account(call.target_arn))
