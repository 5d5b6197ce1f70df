"""GetQuantumTask in the task's own region, with the retries Braket's consistency needs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from task_monitor.domain.arns import TaskArn
from task_monitor.domain.status import is_terminal, rank
from task_monitor.errors import EnrichmentError

# Throttling and 5xx: botocore's standard retry mode (exponential backoff with jitter).
BRAKET_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 4},
    connect_timeout=3,
    read_timeout=5,
)
NOT_FOUND = "ResourceNotFoundException"


class BraketTaskDescriber:
    """One client per region per container, created on first use; queue info always asked for.

    Braket is eventually consistent: a task just created may not be found yet, and a task just
    ended may still show its earlier status. Both are asked again after 0.5 s, 1 s, ...
    """

    def __init__(
        self,
        client_factory: Callable[[str], Any],
        *,
        not_found_retries: int = 3,
        not_found_delay_seconds: float = 0.5,
        lag_retries: int = 2,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._client_factory = client_factory
        self._clients: dict[str, Any] = {}
        self._not_found_retries = not_found_retries
        self._not_found_delay = not_found_delay_seconds
        self._lag_retries = lag_retries
        self._sleep = sleep

    def client_for(self, region: str) -> Any:
        if region not in self._clients:
            self._clients[region] = self._client_factory(region)
        return self._clients[region]

    def describe(self, task: TaskArn, event_status: str | None = None) -> dict[str, Any]:
        """The task's description. For a task an event says has ended, an answer that still shows
        an earlier status (Braket catching up) is asked again briefly, for its end details.

        A re-ask only ever improves on the answer in hand: if it fails (throttled, a 5xx once
        botocore's retries are spent, anything else), the answer already received is returned, so
        its tags, job and queue info are kept rather than replaced by an enrichment error."""
        answer = self._get(task)
        for attempt in range(self._lag_retries):
            if not (event_status and is_terminal(event_status) and rank(answer.get("status", "")) < rank(event_status)):
                break
            self._pause(attempt)
            try:
                answer = self._get(task)
            except EnrichmentError:
                break
        return answer

    def _get(self, task: TaskArn) -> dict[str, Any]:
        client = self.client_for(task.region)
        for attempt in range(self._not_found_retries + 1):
            try:
                return client.get_quantum_task(quantumTaskArn=task.arn, additionalAttributeNames=["QueueInfo"])
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "Unknown")
                # Right after CreateQuantumTask, GetQuantumTask may not find the task yet.
                if code == NOT_FOUND and attempt < self._not_found_retries:
                    self._pause(attempt)
                    continue
                message = error.response.get("Error", {}).get("Message", str(error))
                raise EnrichmentError(code, message) from error
            except BotoCoreError as error:  # connection failures once botocore's retries are spent
                raise EnrichmentError(type(error).__name__, str(error)) from error
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _pause(self, attempt: int) -> None:
        (self._sleep or time.sleep)(self._not_found_delay * 2**attempt)
