"""Which kind of Braket event this is, and who processes it: one entry per EventBridge detail-type.

Braket sends task state changes, job state changes, device status changes and (through CloudTrail)
API calls, each with its own ``detail-type``. The pipeline for each kind (its parser, enrichment,
record, status ranking and notification) is registered here under that detail-type; the intake and
the handler only ever call ``EventDispatcher.process``, with the event's ``Arrival`` (how it reached the
function, made by the entry point), which every kind's pipeline keeps on its record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from task_monitor.domain.arrival import Arrival
from task_monitor.domain.detail_types import EVENT_SOURCE
from task_monitor.domain.results import ProcessingResult
from task_monitor.domain.validation import quote_value
from task_monitor.errors import InvalidEventError

Processor = Callable[[Any, Arrival], ProcessingResult]


class EventDispatcher:
    """Routes an EventBridge event to the processor of its detail-type; anything else is invalid."""

    def __init__(self, processors: Mapping[str, Processor]) -> None:
        if not processors:
            raise ValueError("at least one kind of event must be processed")
        self._processors = dict(processors)

    @property
    def detail_types(self) -> tuple[str, ...]:
        return tuple(self._processors)

    def process(self, event: Any, arrival: Arrival) -> ProcessingResult:
        """Process the event with its kind's pipeline, which records ``arrival``; InvalidEventError
        before anything is called."""
        if not isinstance(event, dict):
            raise InvalidEventError("$", f"expected a JSON object, got {type(event).__name__}")
        source, detail_type = event.get("source"), event.get("detail-type")
        if source != EVENT_SOURCE:
            raise InvalidEventError("source", f"expected {EVENT_SOURCE!r}, got {quote_value(source)}")
        processor = self._processors.get(detail_type) if isinstance(detail_type, str) else None
        if processor is None:
            expected = " or ".join(repr(known) for known in self._processors)
            raise InvalidEventError("detail-type", f"expected {expected}, got {quote_value(detail_type)}")
        return processor(event, arrival)
