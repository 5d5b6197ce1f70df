"""The pipeline for one hybrid job event: validate, enrich, roll up its tasks, audit, announce its end."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from task_monitor.domain.announce import Announcer
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.callers import with_caller_details
from task_monitor.domain.enrichment import EnrichmentFailure, enrich
from task_monitor.domain.kinds.job.event import JobStateChange, parse_job_event
from task_monitor.domain.kinds.job.record import JobRecord, build_job_record
from task_monitor.domain.notification_model import Notification
from task_monitor.domain.registry import JOB
from task_monitor.domain.results import ProcessingResult
from task_monitor.domain.status import JOB_LIFECYCLE

if TYPE_CHECKING:
    from task_monitor.domain.ports import AuditStore, JobDescriber, JobTasks, Prices


class JobMonitor:
    """Turns one Braket job event into an audit record and, when the job ends, one notification.

    Only an ending event (COMPLETED, FAILED, CANCELLED) is announced, and only if its status is
    also in ``notify_statuses`` (the NOTIFY_STATUSES setting), so a deployment that hears only of
    failures hears only of failed jobs too. Only an ending event reads the job's history (who
    created and cancelled it) and its tasks (the roll-up): that costs two queries, once per job."""

    def __init__(
        self,
        describer: JobDescriber,
        store: AuditStore,
        tasks: JobTasks,
        announcer: Announcer,
        *,
        notify_statuses: frozenset[str],
        clock: Callable[[], str],
        notify_caller_details: bool = False,
        prices: Prices | None = None,
    ) -> None:
        self._notify_caller_details = notify_caller_details
        self._describer = describer
        self._store = store
        self._tasks = tasks
        self._announcer = announcer
        self._notify_statuses = notify_statuses
        self._clock = clock
        self._prices = prices  # without one, the job's record has no estimatedCost

    def process(self, event: Any, arrival: Arrival) -> ProcessingResult:
        change = parse_job_event(event)  # InvalidEventError: nothing called, nothing written
        description, failure = self._describe(change)
        ending = JOB_LIFECYCLE.is_terminal(change.status)
        notify = ending and change.status in self._notify_statuses
        history = self._store.history_facts(change.job.arn) if ending else None
        record = build_job_record(
            change,
            description,
            enrichment_failure=failure,
            history=history,
            tasks=self._tasks.tasks_of_job(change.job.arn) if ending else None,
            enriched_at=self._clock() if description is not None else None,
            arrival=arrival.field(),
            prices=self._prices.current() if self._prices is not None and ending else None,
        )
        # The record keeps who called; the callers' details reach the notification only if configured.
        shown = (
            with_caller_details(record, history.created_by, history.cancelled_by)
            if self._notify_caller_details and history
            else record
        )
        recorded = self._announcer.record_and_announce(
            self._store, record, notify=notify, render=lambda: _render(cast(JobRecord, shown))
        )
        return ProcessingResult.of(JOB.name, record, recorded, enrichment_failure=failure)

    def _describe(self, change: JobStateChange) -> tuple[dict[str, Any] | None, EnrichmentFailure | None]:
        return enrich(lambda: self._describer.describe(change.job, change.status))


def _render(record: JobRecord) -> Notification:
    from task_monitor.domain.kinds.job.notification import render_job_notification  # only ending events need it

    return render_job_notification(record)
