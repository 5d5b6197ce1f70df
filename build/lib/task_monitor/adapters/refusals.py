"""Which AWS errors refuse the request itself, for good: those become ``RequestRefusedError``.

A request AWS refuses for what it holds (a key or an item too large, a bad parameter, a message SNS
will not take) is refused the same on every retry: retried, its message would come back for 60
receives (about six hours) before the queue's redrive set it aside without its error. Named here,
per service, it goes to the dead-letter queue at once with the error. Everything else (throttling,
5xx, conflicts, a dropped connection, a missing permission or resource an operator can fix) passes
unchanged and the message is retried.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

from botocore.exceptions import ClientError, ParamValidationError

from task_monitor.errors import RequestRefusedError

DYNAMODB = "DynamoDB"
SNS = "SNS"
SQS = "SQS"

# Error codes that refuse the request itself, by service (from each service's API reference).
REFUSED_CODES: dict[str, frozenset[str]] = {
    # A key over 2,048/1,024 bytes, an item over 400 KB, an empty string key, a bad expression.
    DYNAMODB: frozenset({"ValidationException"}),
    # A message or subject too long, an attribute SNS will not take.
    SNS: frozenset({"InvalidParameter", "InvalidParameterValue", "ValidationException"}),
    # Characters or a size SQS will not take in a body or an attribute.
    SQS: frozenset({"InvalidMessageContents", "InvalidParameterValue", "InvalidAttributeValue"}),
}
# A transaction's cancellation reason that refuses an item itself (its other reasons are conditions,
# conflicts and throttling).
CANCELLED_FOR_VALIDATION = "ValidationError"

P = ParamSpec("P")
R = TypeVar("R")


def refusal(service: str, error: Exception, operation: str = "unknown") -> RequestRefusedError | None:
    """The ``RequestRefusedError`` that ``error`` stands for, or None when a retry may succeed."""
    if isinstance(error, ParamValidationError):  # botocore refused to send it: the same each time
        return RequestRefusedError(service, operation, "ParamValidationError", str(error))
    if not isinstance(error, ClientError):
        return None
    details = error.response.get("Error", {})
    code, message = str(details.get("Code", "")), str(details.get("Message", ""))
    operation = error.operation_name or operation
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        refused = [reason.get("Message", "") for reason in reasons if reason.get("Code") == CANCELLED_FOR_VALIDATION]
        if not refused:
            return None
        return RequestRefusedError(service, operation, CANCELLED_FOR_VALIDATION, "; ".join(refused))
    if code in REFUSED_CODES.get(service, frozenset()):
        return RequestRefusedError(service, operation, code, message)
    return None


@contextlib.contextmanager
def refusals_are_permanent(service: str, operation: str = "unknown") -> Iterator[None]:
    """Raise ``RequestRefusedError`` (from the original) for a refused request; anything else as it was."""
    try:
        yield
    except (ClientError, ParamValidationError) as error:
        refused = refusal(service, error, operation)
        if refused is None:
            raise
        raise refused from error


def permanent_refusals(service: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate an adapter's method: a request it makes that AWS refuses for itself raises
    ``RequestRefusedError``. On the public methods only, so the adapter's own handling of
    ``ClientError`` (conditions, conflicts) runs first."""

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with refusals_are_permanent(service, method.__name__):
                return method(*args, **kwargs)

        return wrapper

    return decorate
