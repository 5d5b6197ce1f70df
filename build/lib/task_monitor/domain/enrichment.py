"""What every kind's enrichment shares: asking Braket for a resource, and keeping its answer as plain JSON.

GetQuantumTask and GetJob answers are merged into records the same way: a failure to describe is
kept on the record (never fatal), botocore's datetimes become stored instants, and the response
metadata goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from task_monitor.domain.timefmt import format_instant
from task_monitor.errors import EnrichmentError


class Timings(TypedDict, total=False):
    queuedSeconds: float
    runningSeconds: float
    totalSeconds: float


class EnrichmentErrorInfo(TypedDict):
    code: str
    message: str


@dataclass(frozen=True)
class EnrichmentFailure:
    """Why GetQuantumTask gave nothing: the record is kept anyway, marked with this."""

    code: str
    message: str


def enrich(describe: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any] | None, EnrichmentFailure | None]:
    """Ask Braket for the resource's description; its EnrichmentError becomes a failure the record keeps."""
    try:
        return describe(), None
    except EnrichmentError as error:
        return None, EnrichmentFailure(code=error.code, message=error.message)


def to_plain(value: Any) -> Any:
    """botocore output as plain JSON values: datetimes become stored instants, metadata goes."""
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    return value
