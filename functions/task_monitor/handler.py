"""Lambda entry point: an SQS batch from the event source mapping, or one EventBridge event.

The event source mapping sends ``{"Records": [...]}``; the answer is a partial batch response, so
only the messages that failed are redelivered, and invalid events (or events whose request AWS
refused for itself) go to the dead-letter queue at once (see ``task_monitor.domain.intake``).
Invoked directly with one EventBridge event (tests, ``python -m task_monitor replay``), it returns
that event's summary and raises if the event is invalid, AWS refused one of its requests, or its
processing failed.
"""

from __future__ import annotations

from typing import Any

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
@logger.inject_lambda_context(correlation_id_path="id")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if is_sqs_batch(event):
        return intake.handle(event["Records"], context.get_remaining_time_in_millis)
    try:
        result = dispatcher.process(event)
    except InvalidEventError as error:
        record_invalid_event(error)
        raise
    except RequestRefusedError as error:
        record_refused_request(error)
        raise
    record_result(result)
    return result.summary()
