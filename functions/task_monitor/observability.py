"""Powertools Logger, Metrics and Tracer, imported module by module to keep cold start small."""

from __future__ import annotations

import os

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics, MetricUnit, single_metric
from aws_lambda_powertools.tracing import Tracer

from task_monitor import telemetry_names as names
from task_monitor.domain.monitor import ProcessingResult, SaveOutcome
from task_monitor.domain.status import KNOWN_STATUSES

SERVICE = os.getenv("POWERTOOLS_SERVICE_NAME", names.SERVICE_NAME)
NAMESPACE = os.getenv("POWERTOOLS_METRICS_NAMESPACE", names.METRICS_NAMESPACE)

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
# Only botocore is patched: it is the only library the function calls AWS with.
tracer = Tracer(service=SERVICE, patch_modules=["botocore"])


def record_invalid_event() -> None:
    metrics.add_metric(name=names.INVALID_EVENTS, unit=MetricUnit.Count, value=1)


def record_result(result: ProcessingResult) -> None:
    """Metrics for one processed event; dimensioned ones go out as their own EMF documents."""
    status = result.record["status"]
    metrics.add_metric(name=names.TASK_EVENTS, unit=MetricUnit.Count, value=1)  # all statuses together
    _dimensioned(names.TASK_EVENTS, MetricUnit.Count, 1, names.STATUS_DIMENSION, status)
    if result.outcome.is_duplicate:
        metrics.add_metric(name=names.DUPLICATE_EVENTS, unit=MetricUnit.Count, value=1)
    if result.outcome is SaveOutcome.RECORDED_LATE:
        metrics.add_metric(name=names.STALE_EVENTS, unit=MetricUnit.Count, value=1)
    if result.notified:
        metrics.add_metric(name=names.NOTIFICATIONS, unit=MetricUnit.Count, value=1)
    if result.enrichment_error:
        metrics.add_metric(name=names.ENRICHMENT_ERRORS, unit=MetricUnit.Count, value=1)
    if status not in KNOWN_STATUSES:
        metrics.add_metric(name=names.UNKNOWN_STATUS_EVENTS, unit=MetricUnit.Count, value=1)
    if result.queued_seconds is not None:
        device = f"{result.record['deviceProvider']}/{result.record['deviceName']}"
        seconds = result.queued_seconds
        _dimensioned(names.QUEUE_WAIT_SECONDS, MetricUnit.Seconds, seconds, names.DEVICE_DIMENSION, device)


def _dimensioned(name: str, unit: MetricUnit, value: float, dimension: str, dimension_value: str) -> None:
    with single_metric(
        name=name, unit=unit, value=value, namespace=NAMESPACE, default_dimensions=metrics.default_dimensions
    ) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        metric.add_dimension(name=dimension, value=dimension_value)
