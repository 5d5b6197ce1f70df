"""The pipeline for one hybrid job event: validate, enrich, roll up its tasks, audit, announce its end."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from task_monitor.domain.announce import Announcer
from task_monitor.domain.job_events import JobStateChange, parse_job_event
from task_monitor.domain.job_record import build_job_record
from task_monitor.domain.ports import AuditStore, JobDescriber, JobTasks, SaveOutcome
from task_monitor.domain.record import EnrichmentFailure
from task_monitor.domain.results import ProcessingResult
from task_monitor.domain.status import JOB_LIFECYCLE
from task_monitor.errors import EnrichmentError


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
        now: Callable[[], float],
    ) -> None:
        self._describer = describer
        self._store = store
        self._tasks = tasks
        self._announcer = announcer
        self._notify_statuses = notify_statuses
        self._clock = clock
        self._now = now

    def process(self, event: Any) -> ProcessingResult:
        change = parse_job_event(event)  # InvalidEventError: nothing called, nothing written
        description, failure = self._describe(change)
        ending = JOB_LIFECYCLE.is_terminal(change.status)
        notify = ending and change.status in self._notify_statuses
        record = build_job_record(
            change,
            description,
            enrichment_failure=failure,
            history=self._store.history_facts(change.job.arn) if ending else None,
            tasks=self._tasks.tasks_of_job(change.job.arn) if ending else None,
            enriched_at=self._clock() if description is not None else None,
        )
        claim = str(uuid.uuid4()) if notify else None
        claimed_no_earlier_than = self._now()
        outcome = self._store.save(record, claim=claim)

        message_id, unmarked = None, None
        if claim and outcome is not SaveOutcome.DUPLICATE:
            from task_monitor.domain.job_notification import render_job_notification  # only ending events need it

            message_id, unmarked = self._announcer.announce(
                self._store, record, claim, claimed_no_earlier_than, lambda: render_job_notification(record)
            )
        return ProcessingResult(
            record=record,
            outcome=outcome,
            notified=message_id is not None,
            kind="job",
            message_id=message_id,
            enrichment_error=failure.code if failure else None,
            unmarked_notification=unmarked,
        )

    def _describe(self, change: JobStateChange) -> tuple[dict[str, Any] | None, EnrichmentFailure | None]:
        try:
            return self._describer.describe(change.job, change.status), None
        except EnrichmentError as error:
            return None, EnrichmentFailure(code=error.code, message=error.message)
