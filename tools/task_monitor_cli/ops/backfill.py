"""Tasks and jobs that ran before the stack existed, found with Braket's Search APIs and recorded (``backfill``).

In each Braket region given, ``SearchQuantumTasks`` and then ``SearchJobs`` (tasks first, so an ended
job's roll-up finds them) with the filter ``createdAt GTE <since>``, page by page. Each task or job found
goes through the same pipeline as live events, built by ``task_monitor.wiring`` from explicit settings,
as a synthetic state-change event of its current status, with:

* a deterministic event id and time (from the ARN, the status and the time Braket gives for it:
  ``endedAt`` once it ended, else ``createdAt``), so a second backfill is a duplicate and records
  nothing, and a task later seen live is one task (its latest state ranks by status, never back);
* the arrival ``backfill`` naming the operator (``domain.arrival``): the record says it was found by a
  search, never names a creator (no CloudTrail call came with it) and dates no queue wait;
* no notification unless ``notify``: the pipeline is built with no status to notify and no budgets
  (a budget's crossing is itself an announcement; see docs/redrive-and-backfill.md).

Requests stay within Braket's quotas by a client-side limiter per operation and region (defaults
under the documented rates: SearchQuantumTasks 5/s; GetQuantumTask 100/s, GetJob 5/s, each per account
and region), and throttling that still happens is retried by botocore's standard retry mode.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from task_monitor.domain.arns import BRAKET_REGIONS
from task_monitor.domain.arrival import Arrival
from task_monitor.domain.detail_types import EVENT_SOURCE, JOB_STATE_CHANGE, TASK_STATE_CHANGE
from task_monitor.domain.status import JOB_LIFECYCLE, TASK_LIFECYCLE
from task_monitor.domain.timefmt import format_instant
from task_monitor.errors import TaskMonitorError
from task_monitor.settings import Settings

SEARCH_TASKS, SEARCH_JOBS = "SearchQuantumTasks", "SearchJobs"
# A synthetic event's id: a fixed namespace, so the same task, status and time give the same id.
BACKFILL_NAMESPACE = uuid.UUID("6c1f3b52-2d7e-4a0b-9f51-0b1e4c2a7d93")
EVENT_ID_PREFIX = "backfill-"
SEARCH_CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 6}, connect_timeout=3, read_timeout=10)


@dataclass(frozen=True)
class Limits:
    """Requests per second per region, under Braket's documented quotas (Braket developer guide,
    "Amazon Braket Quotas"): the Search APIs at 5/s (burst 50), GetQuantumTask 100/s (burst 500),
    GetJob 5/s (burst 25). The defaults leave room for everyone else using the account."""

    search_per_second: float = 2.0
    get_task_per_second: float = 20.0
    get_job_per_second: float = 2.0
    page_size: int = 100  # maxResults: the model's maximum

    def __post_init__(self) -> None:
        for name in ("search_per_second", "get_task_per_second", "get_job_per_second"):
            if not 0 < getattr(self, name) <= 100:
                raise ValueError(f"{name} must be above 0 and at most 100, got {getattr(self, name)}")
        if not 1 <= self.page_size <= 100:
            raise ValueError(f"page_size must be 1 to 100, got {self.page_size}")


class RateLimiter:
    """At most ``per_second`` calls per second: each call waits until 1/rate after the previous one."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / per_second
        self._clock, self._sleep = clock, sleep
        self._next: float | None = None
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds slept in all, for the summary and the tests

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            if self._next is not None and now < self._next:
                pause = self._next - now
                self.waited += pause
                self._sleep(pause)
                now = self._next
            self._next = now + self._interval


@dataclass
class RegionCounts:
    """What one region gave, by kind: found, and what recording each did."""

    pages: int = 0
    found: Counter[str] = field(default_factory=Counter)  # "task" / "job"
    outcomes: Counter[str] = field(default_factory=Counter)  # SaveOutcome values, and "failed"


@dataclass
class BackfillSummary:
    """Counts per region, the failures (ARN and one-line reason), and the time spent waiting on the limiter."""

    regions: dict[str, RegionCounts] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    throttled_seconds: float = 0.0

    def total(self, name: str) -> int:
        """Summed over regions: "task"/"job" found, or an outcome ("recorded", "duplicate", "failed", ...)."""
        return sum(counts.found[name] + counts.outcomes[name] for counts in self.regions.values())


@dataclass(frozen=True)
class Step:
    """Progress after one page: where, which search, how many found so far there, and the last outcome."""

    region: str
    operation: str
    page: int
    found: int  # in this region and search so far
    done: int  # recorded (or duplicate, or failed) in this region and search so far


class BackfillError(Exception):
    """A backfill that cannot go on (a search refused); ``str()`` is one line naming the fix."""


class Backfill:
    """One backfill run: ``run()`` yields a ``Step`` per page; ``summary`` holds the counts."""

    def __init__(
        self,
        session: Any,
        settings: Settings,
        *,
        operator: str,
        notify: bool = False,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from task_monitor import wiring

        self._limits = limits or Limits()
        self._session = session
        self._clock, self._sleep = clock, sleep
        self._limiters: dict[tuple[str, str], RateLimiter] = {}
        # GetQuantumTask/GetJob from the pipeline's own clients, held to their rates too.
        session.register("before-call.braket", self._limit_pipeline_call)
        self._arrival = Arrival.backfill(operator)
        self._dispatcher = wiring.build_dispatcher(wiring.build_pipelines(pipeline_settings(settings, notify), session))
        self._clients: dict[str, Any] = {}
        self.summary = BackfillSummary()

    def run(self, since: datetime, regions: Sequence[str] = BRAKET_REGIONS) -> Iterator[Step]:
        """Search each region for tasks then jobs created at or after ``since``; record each one found."""
        if since.tzinfo is None:
            raise BackfillError("--since needs a time zone (e.g. 2026-11-01T00:00:00Z)")
        unknown = sorted(set(regions) - set(BRAKET_REGIONS))
        if unknown:
            raise BackfillError(f"not Braket regions: {', '.join(unknown)}: choose from {', '.join(BRAKET_REGIONS)}")
        created_from = format_instant(since)
        for region in regions:
            counts = self.summary.regions.setdefault(region, RegionCounts())
            for operation in (SEARCH_TASKS, SEARCH_JOBS):
                yield from self._search(region, operation, created_from, counts)
        self.summary.throttled_seconds = sum(limiter.waited for limiter in self._limiters.values())

    def _search(self, region: str, operation: str, created_from: str, counts: RegionCounts) -> Iterator[Step]:
        client = self._client(region)
        search = client.search_quantum_tasks if operation == SEARCH_TASKS else client.search_jobs
        results_key, kind = ("quantumTasks", "task") if operation == SEARCH_TASKS else ("jobs", "job")
        request: dict[str, Any] = {
            "filters": [{"name": "createdAt", "operator": "GTE", "values": [created_from]}],
            "maxResults": self._limits.page_size,
        }
        page = found = done = 0
        while True:
            self._limiter(region, operation).wait()
            try:
                answer = search(**request)
            except (ClientError, BotoCoreError) as error:
                raise BackfillError(_search_refused(operation, region, error)) from None
            page += 1
            counts.pages += 1
            for summary in answer.get(results_key, []):
                found += 1
                counts.found[kind] += 1
                counts.outcomes[self._record(kind, summary)] += 1
                done += 1
            yield Step(region=region, operation=operation, page=page, found=found, done=done)
            token = answer.get("nextToken")
            if not token:
                return
            request["nextToken"] = token

    def _record(self, kind: str, summary: Mapping[str, Any]) -> str:
        """One found task or job through the pipeline: its outcome's name, or "failed" (and why)."""
        arn = str(summary.get("quantumTaskArn" if kind == "task" else "jobArn", "?"))
        try:
            event = task_event(summary) if kind == "task" else job_event(summary)
            return self._dispatcher.process(event, self._arrival).outcome.value
        # Invalid, refused, or failed past botocore's retries: counted and named; the next one goes on.
        except (TaskMonitorError, ClientError, BotoCoreError, KeyError, ValueError) as error:
            self.summary.failures.append((arn, f"{type(error).__name__}: {error}".splitlines()[0]))
            return "failed"

    def _client(self, region: str) -> Any:
        if region not in self._clients:
            self._clients[region] = self._session.create_client(
                "braket", region_name=region, config=SEARCH_CLIENT_CONFIG
            )
        return self._clients[region]

    def _limiter(self, region: str, operation: str) -> RateLimiter:
        key = (region, operation)
        if key not in self._limiters:
            rate = {
                SEARCH_TASKS: self._limits.search_per_second,
                SEARCH_JOBS: self._limits.search_per_second,
                "GetQuantumTask": self._limits.get_task_per_second,
                "GetJob": self._limits.get_job_per_second,
            }[operation]
            self._limiters[key] = RateLimiter(rate, clock=self._clock, sleep=self._sleep)
        return self._limiters[key]

    def _limit_pipeline_call(self, model: Any, context: Mapping[str, Any] | None = None, **_: Any) -> None:
        """botocore's before-call hook on the pipeline's Braket clients: wait for GetQuantumTask/GetJob's turn."""
        if model.name in ("GetQuantumTask", "GetJob"):
            region = (context or {}).get("client_region") or "?"
            self._limiter(str(region), model.name).wait()


def pipeline_settings(settings: Settings, notify: bool) -> Settings:
    """The settings the backfill's pipeline is built with: as deployed, but with ``notify`` off, no status
    is announced and no budget is counted (whose crossings would be announced)."""
    if notify:
        return settings
    return dataclasses.replace(settings, notify_statuses=frozenset(), budgets=())


# ------------------------------------------------------------------------------ synthetic events
def synthetic_event_id(arn: str, status: str, time: str) -> str:
    """The same task or job in the same status at the same time: the same id, so a second backfill is a
    duplicate. Prefixed, so a reader tells it from an EventBridge id at a glance."""
    return EVENT_ID_PREFIX + str(uuid.uuid5(BACKFILL_NAMESPACE, f"{arn}|{status}|{time}"))


def task_event(summary: Mapping[str, Any]) -> dict[str, Any]:
    """A ``Braket Task State Change`` of the task's status as SearchQuantumTasks reported it, dated by
    ``endedAt`` once it ended, else by ``createdAt`` (the only times a search gives)."""
    arn, status = str(summary["quantumTaskArn"]), str(summary["status"])
    created, ended = _instant(summary["createdAt"]), _instant(summary.get("endedAt"))
    time = ended if TASK_LIFECYCLE.is_terminal(status) and ended else created
    if time is None:
        raise ValueError(f"{arn} has no createdAt")
    detail: dict[str, Any] = {
        "quantumTaskArn": arn,
        "status": status,
        "deviceArn": summary["deviceArn"],
        "shots": str(summary["shots"]),  # as EventBridge sends it
        "outputS3Bucket": summary.get("outputS3Bucket"),
        "outputS3Directory": summary.get("outputS3Directory"),
        "createdAt": created,
    }
    if ended and TASK_LIFECYCLE.is_terminal(status):
        detail["endedAt"] = ended
    return _envelope(TASK_STATE_CHANGE, arn, status, time, {k: v for k, v in detail.items() if v is not None})


def job_event(summary: Mapping[str, Any]) -> dict[str, Any]:
    """A ``Braket Job State Change`` of the job's status as SearchJobs reported it, dated by ``endedAt``
    once it ended, else ``startedAt`` once it started, else ``createdAt``."""
    arn, status = str(summary["jobArn"]), str(summary["status"])
    created, started, ended = (_instant(summary.get(name)) for name in ("createdAt", "startedAt", "endedAt"))
    time: str | None
    if JOB_LIFECYCLE.is_terminal(status) and ended:
        time = ended
    elif JOB_LIFECYCLE.rank(status) >= JOB_LIFECYCLE.rank("RUNNING") and started:
        time = started
    else:
        time = created
    detail: dict[str, Any] = {
        "jobArn": arn,
        "status": status,
        "jobName": summary.get("jobName"),
        "device": summary.get("device") or None,
        "createdAt": created,
        "startedAt": started,
        "endedAt": ended if JOB_LIFECYCLE.is_terminal(status) else None,
    }
    if time is None:
        raise ValueError(f"{arn} has no createdAt")
    return _envelope(JOB_STATE_CHANGE, arn, status, time, {k: v for k, v in detail.items() if v is not None})


def _envelope(detail_type: str, arn: str, status: str, time: str, detail: dict[str, Any]) -> dict[str, Any]:
    _, _, _, region, account, _ = arn.split(":", 5)
    return {
        "version": "0",
        "id": synthetic_event_id(arn, status, time),
        "detail-type": detail_type,
        "source": EVENT_SOURCE,
        "account": account,
        "time": time,
        "region": region,
        "resources": [arn],
        "detail": detail,
    }


def _instant(value: Any) -> str | None:
    """botocore gives timestamps as datetimes; the events carry ISO-8601 strings (UTC, milliseconds)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_instant(value if value.tzinfo else value.replace(tzinfo=UTC))
    return str(value)


def _search_refused(operation: str, region: str, error: Exception) -> str:
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    if code in ("AccessDeniedException", "AccessDenied"):
        return f"{operation} in {region} was denied: grant braket:{operation} (and braket:Get*) to your role"
    if code == "ThrottlingException":
        return f"{operation} in {region} stayed throttled after retries: lower --search-rate and run again"
    return f"{operation} in {region} failed ({code or type(error).__name__}): run again; recorded ones are kept"
