"""Build a hybrid job's audit record: the event's facts, what GetJob adds, who called, and its tasks.

Field names are the Braket API's where one exists. Some of GetJob's answer is the user's own
free-form data, and is kept only in part: ``hyperParameters`` by name only (their values may hold
anything), ``inputDataConfig`` as its S3 URIs only, ``algorithmSpecification`` as where the code
is (entry point and S3 URI, or container image URI).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, TypedDict, cast

from task_monitor.domain.arns import parse_device_arn
from task_monitor.domain.arrival import ArrivalField, stored_arrival_dates_its_status
from task_monitor.domain.callers import Caller, principal_only
from task_monitor.domain.enrichment import EnrichmentErrorInfo, EnrichmentFailure, Timings, to_plain
from task_monitor.domain.kinds.job.event import JobStateChange
from task_monitor.domain.kinds.job.name import job_name
from task_monitor.domain.outcomes import HistoryFacts
from task_monitor.domain.status import JOB_LIFECYCLE
from task_monitor.domain.timefmt import seconds_between

if TYPE_CHECKING:
    from task_monitor.domain.cost.price_table import PriceTable

# Copied from GetJob as they are (after making times plain strings): none holds free-form user data
# beyond what the tags already are.
COPIED_FIELDS = (
    "failureReason",
    "billableDuration",
    "associations",
    "tags",
    "instanceConfig",
    "deviceConfig",
    "roleArn",
    "stoppingCondition",
)
JOB_EVENT_FIELDS = ("eventType", "timeOfEvent", "message")
QUEUE_INFO_FIELDS = ("queue", "position", "message")
# A job has started once it is RUNNING or anything after it: only then may GetJob's startedAt describe it.
_STARTED_RANK = JOB_LIFECYCLE.rank("RUNNING")


class JobQueueInfo(TypedDict, total=False):
    """GetJob's ``queueInfo`` (asked for): ``position`` is a string ("3", ">2000" or "None")."""

    queue: str
    position: str
    message: str


class JobEvent(TypedDict, total=False):
    """One entry of GetJob's ``events``: the job's own timeline, finer than its status."""

    eventType: str
    timeOfEvent: str
    message: str


class AlgorithmLocation(TypedDict, total=False):
    """Where the job's code is; nothing else of ``algorithmSpecification`` is kept."""

    entryPoint: str
    s3Uri: str
    containerImageUri: str


class SecondsSummary(TypedDict):
    total: float
    mean: float
    tasks: int  # how many tasks the figures are over (those whose timings are known)


class TaskSummary(TypedDict, total=False):
    """The job's quantum tasks as the audit log held them when the job ended."""

    count: Required[int]
    byStatus: Required[dict[str, int]]
    shotsRequested: int
    successfulShots: int
    queuedSeconds: SecondsSummary
    runningSeconds: SecondsSummary


class JobRecord(TypedDict, total=False):
    """One audit record of a hybrid job: a history entry, or the latest state."""

    # From the event, always present
    eventId: Required[str]
    eventTime: Required[str]
    jobArn: Required[str]
    status: Required[str]
    accountId: Required[str]
    region: Required[str]
    # GetJob's, else the event's, else from the SDK's default output path, else an older ARN's; absent
    # when none says (an ARN's UUID is not a name): see domain/kinds/job/name.py
    jobName: str
    # Optional detail fields the event carried in an unexpected type or form, dropped (paths, sorted)
    ignoredFields: list[str]
    # From the event, or else GetJob
    eventName: str
    createdAt: str
    startedAt: str
    endedAt: str
    deviceArn: str
    # From GetJob
    failureReason: str
    billableDuration: int
    events: list[JobEvent]
    queueInfo: JobQueueInfo
    associations: list[dict[str, str]]
    tags: dict[str, str]
    instanceConfig: dict[str, Any]
    deviceConfig: dict[str, str]
    roleArn: str
    stoppingCondition: dict[str, int]
    algorithmSpecification: AlgorithmLocation
    hyperParameterNames: list[str]
    inputS3Uris: list[str]
    outputS3Path: str
    statusAtEnrichment: str
    enrichedAt: str
    enrichmentError: EnrichmentErrorInfo
    # From the CloudTrail join (HistoryFacts), when received
    createdBy: Caller
    cancelledBy: Caller
    # Derived
    taskSummary: TaskSummary
    timings: Timings
    # What the job cost at list price: instances + its tasks, when it ended (domain.cost.job)
    estimatedCost: dict[str, Any]
    # How the event reached the function (domain.arrival)
    arrival: ArrivalField


def build_job_record(
    change: JobStateChange,
    description: Mapping[str, Any] | None,
    *,
    enrichment_failure: EnrichmentFailure | None = None,
    history: HistoryFacts | None = None,
    tasks: Sequence[Mapping[str, Any]] | None = None,
    enriched_at: str | None = None,
    arrival: ArrivalField | None = None,
    prices: PriceTable | None = None,
) -> JobRecord:
    """Merge one job event with GetJob's answer, the job's history and its tasks into its record.

    ``history`` and ``tasks`` are read for ending events only; ``tasks`` is the roll-up's source, and with
    ``prices`` that of the job's ``estimatedCost`` too."""
    terminal = JOB_LIFECYCLE.is_terminal(change.status)
    record: dict[str, Any] = {
        "eventId": change.event_id,
        "eventTime": change.event_time,
        "eventName": change.event_name,
        "jobArn": change.job.arn,
        "status": change.status,
        "accountId": change.job.account,
        "region": change.job.region,
        "createdAt": change.created_at,
        "startedAt": change.started_at,
        "endedAt": change.ended_at,
        "failureReason": change.failure_reason,
        "ignoredFields": list(change.ignored_fields) or None,
        "arrival": arrival,
    }
    device = change.device
    plain = to_plain(description) if description is not None else {}
    output = plain.get("outputDataConfig")
    record["jobName"] = job_name(
        described=plain.get("jobName"),
        from_event=change.job_name,
        output_paths=(output.get("s3Path") if isinstance(output, dict) else None, change.output_s3_path),
        job=change.job,
    )
    if description is not None:
        record.update(_from_description(plain))
        record["createdAt"] = record["createdAt"] or plain.get("createdAt")
        if JOB_LIFECYCLE.rank(change.status) >= _STARTED_RANK:
            record["startedAt"] = record["startedAt"] or plain.get("startedAt")
        if terminal:
            record["endedAt"] = record["endedAt"] or plain.get("endedAt")
        record["statusAtEnrichment"] = plain.get("status")
        record["enrichedAt"] = enriched_at
        device = device or (plain.get("deviceConfig") or {}).get("device")
    if "outputS3Path" not in record:
        record["outputS3Path"] = change.output_s3_path
    if device and parse_device_arn(device) is not None:
        record["deviceArn"] = device
    elif device and "deviceConfig" not in record:
        record["deviceConfig"] = {"device": device}  # a local simulator's name, not an ARN
    if enrichment_failure is not None:
        record["enrichmentError"] = {"code": enrichment_failure.code, "message": enrichment_failure.message}
    if history is not None:
        # who, not the person's details (domain/callers.py)
        record["createdBy"] = principal_only(history.created_by) if history.created_by else None
        record["cancelledBy"] = principal_only(history.cancelled_by) if history.cancelled_by else None
    if tasks is not None:
        record["taskSummary"] = summarize_tasks(tasks)
    running_since = history.running_since if history else None
    timings = derive_job_timings(change, record, running_since)
    if timings:
        record["timings"] = timings
    if tasks is not None and prices is not None:
        from task_monitor.domain.cost.job import estimate_job_cost  # job pipelines only, built on first use

        record["estimatedCost"] = estimate_job_cost(record, tasks, prices)
    return cast(JobRecord, {key: value for key, value in record.items() if value is not None})


def _from_description(plain: Mapping[str, Any]) -> dict[str, Any]:
    """What the record takes from GetJob (see the module docstring for what is left out, and why)."""
    taken: dict[str, Any] = {name: plain[name] for name in COPIED_FIELDS if plain.get(name) is not None}
    if isinstance(plain.get("queueInfo"), dict):
        taken["queueInfo"] = {k: v for k, v in plain["queueInfo"].items() if k in QUEUE_INFO_FIELDS}
    if isinstance(plain.get("events"), list):
        taken["events"] = [
            {k: v for k, v in event.items() if k in JOB_EVENT_FIELDS}
            for event in plain["events"]
            if isinstance(event, dict)
        ]
    algorithm = algorithm_location(plain.get("algorithmSpecification"))
    if algorithm:
        taken["algorithmSpecification"] = algorithm
    if isinstance(plain.get("hyperParameters"), dict) and plain["hyperParameters"]:
        taken["hyperParameterNames"] = sorted(plain["hyperParameters"])
    uris = [
        channel["dataSource"]["s3DataSource"]["s3Uri"]
        for channel in plain.get("inputDataConfig") or []
        if isinstance(channel, dict) and channel.get("dataSource", {}).get("s3DataSource", {}).get("s3Uri")
    ]
    if uris:
        taken["inputS3Uris"] = uris
    output = plain.get("outputDataConfig")
    if isinstance(output, dict) and output.get("s3Path"):
        taken["outputS3Path"] = output["s3Path"]
    return taken


def algorithm_location(specification: object) -> AlgorithmLocation | None:
    """Script mode's entry point and S3 URI, or the container image's URI; nothing else."""
    if not isinstance(specification, dict):
        return None
    script = specification.get("scriptModeConfig")
    image = specification.get("containerImage")
    location: dict[str, str] = {}
    if isinstance(script, dict):
        location.update({k: script[k] for k in ("entryPoint", "s3Uri") if isinstance(script.get(k), str)})
    if isinstance(image, dict) and isinstance(image.get("uri"), str):
        location["containerImageUri"] = image["uri"]
    return cast(AlgorithmLocation, location) if location else None


def summarize_tasks(tasks: Sequence[Mapping[str, Any]]) -> TaskSummary:
    """How many tasks, in which states, how many shots, and how long they waited and ran."""
    summary: dict[str, Any] = {
        "count": len(tasks),
        "byStatus": dict(sorted(Counter(str(task.get("status", "UNKNOWN")) for task in tasks).items())),
        "shotsRequested": _sum_whole(task.get("shots") for task in tasks),
        "successfulShots": _sum_whole(task.get("numSuccessfulShots") for task in tasks),
        "queuedSeconds": _seconds_summary(task.get("timings", {}).get("queuedSeconds") for task in tasks),
        "runningSeconds": _seconds_summary(task.get("timings", {}).get("runningSeconds") for task in tasks),
    }
    return cast(TaskSummary, {key: value for key, value in summary.items() if value is not None})


def derive_job_timings(change: JobStateChange, record: Mapping[str, Any], running_since: str | None) -> Timings:
    """Seconds queued (created -> started), running (started -> ended) and in all, where known."""
    dated = change.status == "RUNNING" and stored_arrival_dates_its_status(record)  # not a backfill's
    started = record.get("startedAt") or (change.event_time if dated else running_since)
    ended = record.get("endedAt") if JOB_LIFECYCLE.is_terminal(change.status) else None
    timings = {
        "queuedSeconds": seconds_between(record.get("createdAt"), started),
        "runningSeconds": seconds_between(started, ended),
        "totalSeconds": seconds_between(record.get("createdAt"), ended),
    }
    return cast(Timings, {key: value for key, value in timings.items() if value is not None})


def _sum_whole(values: Any) -> int | None:
    numbers = [value for value in values if isinstance(value, int) and not isinstance(value, bool)]
    return sum(numbers) if numbers else None


def _seconds_summary(values: Any) -> SecondsSummary | None:
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return None
    total = round(sum(numbers), 3)
    return {"total": total, "mean": round(total / len(numbers), 3), "tasks": len(numbers)}
