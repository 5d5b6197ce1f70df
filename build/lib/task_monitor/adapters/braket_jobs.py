"""GetJob in the hybrid job's own region, with the retries Braket's consistency needs.

GetJob's quota is far lower than GetQuantumTask's: 5 requests per second per account and region
(burst 25), against 100 (burst 500). Only job events call it (a job sends a handful), each at most
``1 + not_found_retries`` times plus ``lag_retries`` re-asks, and the event source mapping's
maximum concurrency bounds how many run at once. Throttling is retried by botocore (standard mode,
backoff with jitter); if it outlasts those retries the record is kept with ``enrichmentError``.
"""

from __future__ import annotations

from typing import Any

from task_monitor.adapters.braket import QUEUE_INFO, EventuallyConsistentDescriber
from task_monitor.domain.arns import JobArn
from task_monitor.domain.status import JOB_LIFECYCLE


class BraketJobDescriber(EventuallyConsistentDescriber):
    """GetJob with ``QueueInfo``, in the job's region (same consistency handling as for tasks)."""

    lifecycle = JOB_LIFECYCLE

    def describe(self, job: JobArn, event_status: str | None = None) -> dict[str, Any]:
        return self._describe(job.arn, job.region, event_status)

    def _ask(self, client: Any, arn: str) -> dict[str, Any]:
        return client.get_job(jobArn=arn, additionalAttributeNames=[QUEUE_INFO])
