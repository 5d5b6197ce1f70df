"""Which name a hybrid job goes by, and what to call one whose name is not known.

Job ARNs end in a UUID today (older ones ended in the job's name), so the ARN is the last place to
look. In order: GetJob's ``jobName`` (the authority); the event's ``detail.jobName``; the job's output
path, when it is the Braket SDK's default for the job's account and region; the name an older ARN
carries. A UUID is never shown as a name: a job without one is labelled by its short id (``job
acc51817``), and its record has no ``jobName``.

The SDK (amazon-braket-sdk-python, ``braket/jobs/quantum_job_creation.py``) writes a job's output to
``s3://amazon-braket-<region>-<account>/jobs/<jobName>/<epoch ms>/data`` unless told otherwise (its
docstring, and SDKs before the timestamp was added, say ``.../jobs/<jobName>/data``). A path the user
chose can hold any folder name, so only those two shapes in the default bucket of the job's own
account and region are read; anything else gives no name rather than a guess.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from task_monitor.domain.arns import JobArn, is_uuid, parse_job_arn

MAX_JOB_NAME = 50  # CreateJob's jobName: 1..50 of [a-zA-Z0-9](-*[a-zA-Z0-9])*
_SDK_OUTPUT_PATH = (
    r"^s3://amazon-braket-(?P<region>[a-z0-9-]+)-(?P<account>\d{12})/jobs/"
    r"(?P<name>[A-Za-z0-9](?:-*[A-Za-z0-9])*)/(?:\d{13}/)?data/?$"
)


def job_name(*, described: object, from_event: str | None, output_paths: Iterable[object], job: JobArn) -> str | None:
    """The job's name from the best source that has one (see the module docstring); None if none does."""
    if isinstance(described, str) and described.strip():
        return described
    if from_event:
        return from_event
    for path in output_paths:
        name = name_from_output_path(path, job)
        if name is not None:
            return name
    return job.name_in_arn


def name_from_output_path(path: object, job: JobArn) -> str | None:
    """The name in the SDK's default output path for ``job``'s account and region; None for any other path."""
    if not isinstance(path, str):
        return None
    match = _sdk_output_path().fullmatch(path)
    if match is None or (match["region"], match["account"]) != (job.region, job.account):
        return None
    name = match["name"]
    return name if len(name) <= MAX_JOB_NAME and not is_uuid(name) else None


def job_label(name: object, job_arn: str) -> str:
    """What a person reads for a job: its name, else ``job <short id>`` (never a bare UUID)."""
    if isinstance(name, str) and name.strip():
        return name
    job = parse_job_arn(job_arn)
    if job is not None:
        return job.name_in_arn or f"job {job.short_id}"
    return f"job {job_arn.rsplit('/', 1)[-1][:8]}"


@functools.cache
def _sdk_output_path() -> re.Pattern[str]:
    return re.compile(_SDK_OUTPUT_PATH)
