"""GetQuantumTask (and, through the shared base, GetJob) in the resource's own region, with the
retries Braket's consistency needs."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from task_monitor.domain.arns import TaskArn
from task_monitor.domain.status import TASK_LIFECYCLE, Lifecycle
from task_monitor.errors import EnrichmentError

# Throttling and 5xx: botocore's standard retry mode (exponential backoff with jitter).
BRAKET_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 4},
    connect_timeout=3,
    read_timeout=5,
)
NOT_FOUND = "ResourceNotFoundException"
# Braket is in 5 regions (2026); room for a few more before a client is made again.
MAX_REGIONAL_CLIENTS = 8
QUEUE_INFO = "QueueInfo"


class BraketClients:
    """The container's Braket clients: one per region, made on first use (a task or job lives in its
    device's region), shared by every describer. The home region's is made at init, since most
    resources live there.

    At most ``limit`` are kept, the least recently used dropped first: Braket runs in a handful of
    regions, but the region comes from the event's ARN, and a container must not grow a client for
    every region-shaped name it is sent."""

    def __init__(
        self, make_client: Callable[[str], Any], *, home_region: str | None = None, limit: int = MAX_REGIONAL_CLIENTS
    ) -> None:
        self._make_client = make_client
        self._clients: OrderedDict[str, Any] = OrderedDict()
        self._limit = limit
        if home_region:
            self.for_region(home_region)

    def for_region(self, region: str) -> Any:
        if region in self._clients:
            self._clients.move_to_end(region)
            return self._clients[region]
        client = self._clients[region] = self._make_client(region)
        while len(self._clients) > self._limit:
            self._clients.popitem(last=False)
        return client

    @property
    def regions(self) -> tuple[str, ...]:
        """The regions that have a client now, least recently used first."""
        return tuple(self._clients)


class EventuallyConsistentDescriber:
    """Asks Braket for one resource's description, in its own region (clients from ``BraketClients``);
    queue info always asked for.

    Braket is eventually consistent: a resource just created may not be found yet, and one just
    ended may still show its earlier status. Both are asked again after 0.5 s, 1 s, ... Subclasses
    name the call (``_ask``) and the lifecycle that says what "ended" and "earlier" mean.
    """

    lifecycle: Lifecycle = TASK_LIFECYCLE

    def __init__(
        self,
        clients: BraketClients,
        *,
        not_found_retries: int = 3,
        not_found_delay_seconds: float = 0.5,
        lag_retries: int = 2,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._clients = clients
        self._not_found_retries = not_found_retries
        self._not_found_delay = not_found_delay_seconds
        self._lag_retries = lag_retries
        self._sleep = sleep

    def client_for(self, region: str) -> Any:
        return self._clients.for_region(region)

    def _ask(self, client: Any, arn: str) -> dict[str, Any]:
        raise NotImplementedError

    def _describe(self, arn: str, region: str, event_status: str | None) -> dict[str, Any]:
        """The description. For a resource an event says has ended, an answer that still shows an
        earlier status (Braket catching up) is asked again briefly, for its end details.

        A re-ask only ever improves on the answer in hand: if it fails (throttled, a 5xx once
        botocore's retries are spent, anything else), the answer already received is returned, so
        its tags, job and queue info are kept rather than replaced by an enrichment error."""
        answer = self._get(arn, region)
        for attempt in range(self._lag_retries):
            if not self._lags_behind(answer, event_status):
                break
            self._pause(attempt)
            try:
                answer = self._get(arn, region)
            except EnrichmentError:
                break
        return answer

    def _lags_behind(self, answer: dict[str, Any], event_status: str | None) -> bool:
        if not event_status or not self.lifecycle.is_terminal(event_status):
            return False
        return self.lifecycle.rank(str(answer.get("status", ""))) < self.lifecycle.rank(event_status)

    def _get(self, arn: str, region: str) -> dict[str, Any]:
        client = self.client_for(region)
        for attempt in range(self._not_found_retries + 1):
            try:
                return self._ask(client, arn)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "Unknown")
                # Right after it is created, Braket may not find the resource yet.
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


class BraketTaskDescriber(EventuallyConsistentDescriber):
    """GetQuantumTask with ``QueueInfo``, in the task's region."""

    def describe(self, task: TaskArn, event_status: str | None = None) -> dict[str, Any]:
        return self._describe(task.arn, task.region, event_status)

    def _ask(self, client: Any, arn: str) -> dict[str, Any]:
        return client.get_quantum_task(quantumTaskArn=arn, additionalAttributeNames=[QUEUE_INFO])
