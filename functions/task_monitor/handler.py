"""Lambda entry point: an SQS batch from the event source mapping, or one EventBridge event.

The event source mapping sends ``{"Records": [...]}``; the answer is a partial batch response, so
only the messages that failed are redelivered, and invalid events (or events whose request AWS
refused for itself) go to the dead-letter queue at once (see ``task_monitor.domain.intake``).
Invoked directly with one EventBridge event, it returns that event's summary and raises if the event
is invalid, AWS refused one of its requests, or its processing failed; the records say it arrived
``direct`` (so a CloudTrail call that came this way names no creator or canceller: see
``domain.arrival``). The CLI's ``replay`` runs ``process`` in the operator's own process instead,
with an arrival naming the operator: no Lambda invocation can reach that path.
"""

from __future__ import annotations

from typing import Any

from task_monitor.domain.arrival import Arrival
from task_monitor.domain.intake import is_sqs_batch
from task_monitor.errors import InvalidEventError, RequestRefusedError
from task_monitor.observability import (
    logger,
    metrics,
    record_invalid_event,
    record_refused_request,
    record_result,
)
from task_monitor.settings import Settings
from task_monitor.wiring import build_dispatcher, build_intake, build_pipelines, new_session

settings = Settings.from_environment()
session = new_session()
dispatcher = build_dispatcher(build_pipelines(settings, session))
intake = build_intake(dispatcher, settings, session)


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_key="id")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if is_sqs_batch(event):
        return intake.handle(event["Records"], context.get_remaining_time_in_millis)
    return process(event, Arrival.direct())


def process(event: Any, arrival: Arrival) -> dict[str, Any]:
    """One EventBridge event through its kind's pipeline, recorded with ``arrival``: its summary."""
    try:
        result = dispatcher.process(event, arrival)
    except InvalidEventError as error:
        record_invalid_event(error)
        raise
    except RequestRefusedError as error:
        record_refused_request(error)
        raise
    record_result(result)
    return result.summary()


def run_one(event: Any, arrival: Arrival) -> dict[str, Any]:
    """One event outside a Lambda invocation (the CLI's replay, with the operator's arrival): ``process``,
    then the metrics flushed as ``lambda_handler``'s decorator would, so they never pile up in the process."""
    try:
        return process(event, arrival)
    finally:
        metrics.flush_metrics()
