"""GetJob in the hybrid job's own region, with the retries Braket's consistency needs.

GetJob's quota is far lower than GetQuantumTask's: 5 requests per second per account and region
(burst 25), against 100 (burst 500). Only job events call it (a job sends a handful), each at most
``1 + not_found_retries`` times plus ``lag_retries`` re-asks, and the event source mapping's
maximum concurrency bounds how many run at once. Throttling is retried by botocore (standard mode,
backoff with jitter); if it outlasts those retries the record is kept with ``enrichmentError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from task_monitor.adapters.braket import NOT_FOUND
from task_monitor.domain.arns import JobArn
from task_monitor.domain.status import JOB_LIFECYCLE
from task_monitor.errors import EnrichmentError

QUEUE_INFO = "QueueInfo"


class BraketJobDescriber:
    """Asks GetJob (queue info included) with the client of the job's region.

    Braket is eventually consistent: a job just created may not be found yet, and a job just ended
    may still show its earlier status. Both are asked again after 0.5 s, 1 s, ...
    """

    def __init__(
        self,
        client_for_region: Callable[[str], Any],
        *,
        not_found_retries: int = 3,
        not_found_delay_seconds: float = 0.5,
        lag_retries: int = 2,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client_for_region = client_for_region
        self._not_found_retries = not_found_retries
        self._delay = not_found_delay_seconds
        self._lag_retries = lag_retries
        self._sleep = sleep

    def describe(self, job: JobArn, event_status: str | None = None) -> dict[str, Any]:
        """The job's description. For a job an event says has ended, an answer still showing an
        earlier status is asked again briefly; a failed re-ask keeps the answer already in hand."""
        answer = self._get(job)
        for attempt in range(self._lag_retries):
            if not self._lags_behind(answer, event_status):
                break
            self._pause(attempt)
            try:
                answer = self._get(job)
            except EnrichmentError:
                break
        return answer

    @staticmethod
    def _lags_behind(answer: dict[str, Any], event_status: str | None) -> bool:
        if not event_status or not JOB_LIFECYCLE.is_terminal(event_status):
            return False
        return JOB_LIFECYCLE.rank(str(answer.get("status", ""))) < JOB_LIFECYCLE.rank(event_status)

    def _get(self, job: JobArn) -> dict[str, Any]:
        client = self._client_for_region(job.region)
        for attempt in range(self._not_found_retries + 1):
            try:
                return client.get_job(jobArn=job.arn, additionalAttributeNames=[QUEUE_INFO])
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "Unknown")
                # Right after CreateJob, GetJob may not find the job yet.
                if code == NOT_FOUND and attempt < self._not_found_retries:
                    self._pause(attempt)
                    continue
                message = error.response.get("Error", {}).get("Message", str(error))
                raise EnrichmentError(code, message) from error
            except BotoCoreError as error:  # connection failures once botocore's retries are spent
                raise EnrichmentError(type(error).__name__, str(error)) from error
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _pause(self, attempt: int) -> None:
        (self._sleep or time.sleep)(self._delay * 2**attempt)
