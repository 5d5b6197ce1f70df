"""Every error the function raises on purpose, under one base class.

Callers catch by meaning: ``InvalidEventError`` (the event can never be processed: set aside, not
retried), ``RequestRefusedError`` (AWS refused a request for what it holds: set aside the same way),
``NotificationInProgressError`` (another attempt holds the notification: retry later),
``ConfigurationError`` (a bad setting: the cold start fails). Pure Python, no AWS imports, so the
domain can raise them.
"""

from __future__ import annotations


class TaskMonitorError(Exception):
    """Base of the function's own errors."""


class ConfigurationError(TaskMonitorError, RuntimeError):
    """A missing or malformed setting; the message names the variable and what it must be."""


class InvalidEventError(TaskMonitorError, ValueError):
    """The event cannot be processed; ``field`` names the first offending field (JSON path)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"invalid Braket event: {field}: {problem}")


class EnrichmentError(TaskMonitorError):
    """GetQuantumTask could not describe the task, even after retries."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class NotificationInProgressError(TaskMonitorError, RuntimeError):
    """Another attempt holds this event's notification; failing lets SQS redeliver it later."""


class ClaimExpiredError(NotificationInProgressError):
    """This attempt's claim is too old to outlast a publish: given back unpublished, for a redelivery."""


class RequestRefusedError(TaskMonitorError):
    """AWS refused a request for itself (a validation, size or parameter error): every retry would be
    refused the same, so the event goes to the dead-letter queue at once, like an invalid one.

    Raised by the adapters, which know each service's error codes; throttling, 5xx and conflicts are
    never this (they pass, and the message is retried)."""

    def __init__(self, service: str, operation: str, code: str, message: str) -> None:
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        super().__init__(f"{service} refused {operation}: {code}: {message}")


class DeadLetterQueueNotConfiguredError(TaskMonitorError, RuntimeError):
    """An invalid event arrived but no dead-letter queue is configured: it stays on the queue, whose
    redrive policy moves it to the dead-letter queue after its last receive."""
