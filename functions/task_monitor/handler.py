"""Lambda entry point: validate and process one ``Braket Task State Change`` event.

An invalid event raises: Lambda retries it, then sends it with the error (which names the bad
field) to the function's on-failure queue, where ``python -m task_monitor replay`` takes it back.
"""

from __future__ import annotations

from typing import Any

from task_monitor.domain.events import InvalidEventError
from task_monitor.observability import logger, metrics, record_invalid_event, record_result, tracer
from task_monitor.settings import Settings
from task_monitor.wiring import build_monitor

monitor = build_monitor(Settings.from_environment())


@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@logger.inject_lambda_context(correlation_id_path="id")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        result = monitor.process(event)
    except InvalidEventError as error:
        record_invalid_event()
        logger.error("Rejected invalid event", extra={"field": error.field, "problem": error.problem})
        raise
    record_result(result)
    tracer.put_annotation(key="status", value=result.record["status"])
    logger.info("Processed task event", extra=result.summary())
    return result.summary()
