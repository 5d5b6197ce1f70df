"""Structured JSON log lines and CloudWatch EMF metric documents, written by the function itself.

Powertools' Logger and Metrics made these before; importing any part of Powertools runs its package
``__init__`` (Logger, Metrics, Tracer, jmespath: about 25 ms of every cold start) for a few hundred
lines of behaviour this module keeps, output for output (docs/decisions.md, 2026-12-02):

* a log line is one JSON object: ``level``, ``location`` (``function:line``), ``message``,
  ``timestamp`` (``2026-12-02 10:00:00,123+0000``), ``service``, then, inside an invocation,
  ``cold_start``, ``function_name``, ``function_memory_size``, ``function_arn``,
  ``function_request_id`` and ``correlation_id``; ``xray_trace_id`` when Lambda traces; then the
  ``extra`` keys; ``exception``, ``exception_name`` and ``stack_trace`` for ``logger.exception``.
  Keys whose value is None are left out; values JSON cannot encode are written with ``str``.
* the level is AWS_LAMBDA_LOG_LEVEL's (Lambda's advanced logging controls) when set, else
  POWERTOOLS_LOG_LEVEL's (or the legacy LOG_LEVEL), else INFO, read when the logger is made.
* metrics are EMF documents printed on stdout: the ones added with ``add_metric`` go out together on
  ``flush_metrics`` (each value kept, a list per name, with the ``service`` dimension alone); a
  dimensioned one goes out at once as a document of its own (``single_metric``).

Only the standard library, all of it already loaded by botocore: nothing here adds to a cold start.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TextIO, TypeVar

# Lambda's advanced logging controls name their levels their own way.
_LAMBDA_LOG_LEVELS = {
    "TRACE": "NOTSET",
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARN": "WARNING",
    "ERROR": "ERROR",
    "FATAL": "CRITICAL",
}
# Attributes every LogRecord has: whatever else a record carries came from ``extra``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# The fields of every line, which an ``extra`` key of the same name does not replace.
_OWN_FIELDS = frozenset({"level", "location", "message", "timestamp"})
# CloudWatch's limits on one EMF document: metrics in it, and values of one metric.
MAX_METRICS_PER_DOCUMENT = 100
MAX_VALUES_PER_METRIC = 100

Handler = TypeVar("Handler", bound=Callable[..., Any])


def log_level_from(environ: Mapping[str, str]) -> str:
    """The level Lambda's logging controls ask for, else POWERTOOLS_LOG_LEVEL (or LOG_LEVEL), else INFO."""
    lambda_level = _LAMBDA_LOG_LEVELS.get(environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper())
    if lambda_level:
        return lambda_level
    configured = environ.get("POWERTOOLS_LOG_LEVEL") or environ.get("LOG_LEVEL")
    return configured.strip().upper() if configured else "INFO"


def _timestamp(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.created))
    return f"{seconds},{int(record.msecs):03d}+0000"


def _xray_trace_id() -> str | None:
    """The trace's root id, when Lambda traces this invocation (it sets _X_AMZN_TRACE_ID)."""
    header = os.environ.get("_X_AMZN_TRACE_ID")
    return header.split(";")[0].replace("Root=", "") if header else None


def _stack_trace(error: BaseException) -> dict[str, Any]:
    frames = traceback.extract_tb(error.__traceback__)
    return {
        "type": type(error).__name__,
        "value": str(error),
        "module": type(error).__module__,
        "frames": [
            {"file": frame.filename, "line": frame.lineno, "function": frame.name, "statement": frame.line}
            for frame in frames
        ],
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per record: the record's own fields, the logger's persistent keys, its extras."""

    def __init__(self, keys: dict[str, Any]) -> None:
        super().__init__()
        self.keys = keys  # the logger's, shared: service, the invocation's context, correlation_id

    def format(self, record: logging.LogRecord) -> str:
        message = record.msg if isinstance(record.msg, dict) else record.getMessage()
        line: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": message,
            "timestamp": _timestamp(record),
            **self.keys,
            "xray_trace_id": _xray_trace_id(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in _OWN_FIELDS:
                line[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = self.formatException(record.exc_info)
            line["exception_name"] = type(record.exc_info[1]).__name__
            line["stack_trace"] = _stack_trace(record.exc_info[1])
        present = {key: value for key, value in line.items() if value is not None}
        return json.dumps(present, separators=(",", ":"), default=str)


class JsonLogger:
    """The function's logger: JSON lines on stdout (Lambda sends them to CloudWatch Logs).

    ``registered_handler`` is the stream handler; tests point it elsewhere with ``setStream``.
    """

    def __init__(self, service: str, *, level: str | int | None = None, stream: TextIO | None = None) -> None:
        self.service = service
        self._keys: dict[str, Any] = {"service": service}
        # Not in logging's registry: nothing else adds handlers to it, and it never propagates to the root.
        self._logger = logging.Logger(service)
        self._logger.propagate = False
        self.registered_handler = logging.StreamHandler(stream or sys.stdout)
        self.registered_handler.setFormatter(JsonFormatter(self._keys))
        self._logger.addHandler(self.registered_handler)
        self.setLevel(level if level is not None else log_level_from(os.environ))
        self._cold_start = True

    @property
    def log_level(self) -> int:
        return self._level

    def setLevel(self, level: str | int) -> None:  # noqa: N802 - logging's name, which the tests use
        """Lines below ``level`` (a name, as in POWERTOOLS_LOG_LEVEL, or logging's number) are dropped."""
        number = logging.getLevelName(level.upper()) if isinstance(level, str) else level
        if not isinstance(number, int):
            raise ValueError(f"unknown log level: {level!r}")
        self._level = number

    def append_keys(self, **keys: Any) -> None:
        """Keys written in every later line (a None value removes the key)."""
        self._keys.update(keys)

    def set_correlation_id(self, value: str | None) -> None:
        self._keys["correlation_id"] = value

    def get_correlation_id(self) -> str | None:
        return self._keys.get("correlation_id")

    def debug(self, message: object, *, extra: Mapping[str, Any] | None = None) -> None:
        self._log(logging.DEBUG, message, extra)

    def info(self, message: object, *, extra: Mapping[str, Any] | None = None) -> None:
        self._log(logging.INFO, message, extra)

    def warning(self, message: object, *, extra: Mapping[str, Any] | None = None) -> None:
        self._log(logging.WARNING, message, extra)

    def error(self, message: object, *, extra: Mapping[str, Any] | None = None) -> None:
        self._log(logging.ERROR, message, extra)

    def exception(self, message: object, *, extra: Mapping[str, Any] | None = None) -> None:
        """An ERROR line with the exception being handled (its traceback and name)."""
        self._log(logging.ERROR, message, extra, exc_info=True)

    def _log(self, level: int, message: object, extra: Mapping[str, Any] | None, *, exc_info: bool = False) -> None:
        # The level is this object's, not the logging.Logger's: that one is outside logging's registry,
        # whose cache of levels setLevel would not clear. stacklevel 3: the caller of info(), error()...
        if level >= self._level:
            self._logger.log(level, message, extra=extra, exc_info=exc_info, stacklevel=3)

    def inject_lambda_context(self, *, correlation_id_key: str | None = None) -> Callable[[Handler], Handler]:
        """Decorate a Lambda handler: each line of its invocation carries ``cold_start``, the function's
        name, memory, ARN and request id, and the event's ``correlation_id_key`` as ``correlation_id``."""

        def decorate(handler: Handler) -> Handler:
            @functools.wraps(handler)
            def invoke(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
                cold_start, self._cold_start = self._cold_start, False
                self.append_keys(
                    cold_start=cold_start,
                    function_name=getattr(context, "function_name", None),
                    function_memory_size=getattr(context, "memory_limit_in_mb", None),
                    function_arn=getattr(context, "invoked_function_arn", None),
                    function_request_id=getattr(context, "aws_request_id", None),
                )
                if correlation_id_key is not None:
                    correlation_id = event.get(correlation_id_key) if isinstance(event, dict) else None
                    self.set_correlation_id(correlation_id)
                return handler(event, context, *args, **kwargs)

            return invoke  # type: ignore[return-value]

        return decorate


class MetricUnit(StrEnum):
    """The CloudWatch units the function's metrics use (``NoUnit`` is CloudWatch's ``None``)."""

    Count = "Count"
    Seconds = "Seconds"
    NoUnit = "None"


class EmfMetrics:
    """Metrics as CloudWatch embedded metric format documents, printed on stdout.

    Every document has the ``service`` dimension; ``add_metric`` collects until ``flush_metrics``
    (or until a CloudWatch limit would be passed), ``single_metric`` prints a document at once.
    """

    def __init__(self, namespace: str, service: str, *, write: Callable[[str], None] | None = None) -> None:
        self.namespace = namespace
        self.service = service
        self._write = write
        self._units: dict[str, MetricUnit] = {}
        self._values: dict[str, list[float]] = {}

    def add_metric(self, name: str, unit: MetricUnit, value: float) -> None:
        """One value of ``name``, sent with the next flush (a metric added twice keeps both values)."""
        number = _metric_value(name, value)
        if name not in self._values and len(self._values) >= MAX_METRICS_PER_DOCUMENT:
            self.flush_metrics()
        self._units[name] = unit
        self._values.setdefault(name, []).append(number)
        if len(self._values[name]) >= MAX_VALUES_PER_METRIC:
            self.flush_metrics()

    def flush_metrics(self) -> None:
        """Print what was added as one document (nothing when nothing was added), and forget it."""
        if not self._values:
            return
        metrics = [{"Name": name, "Unit": self._units[name].value} for name in self._values]
        self._print(self._document(metrics, {}, dict(self._values)))
        self.clear_metrics()

    def clear_metrics(self) -> None:
        """Forget what was added, unsent."""
        self._units.clear()
        self._values.clear()

    def single_metric(self, name: str, unit: MetricUnit, value: float, dimensions: Mapping[str, str]) -> None:
        """One metric with its own dimensions (besides ``service``), printed at once as its own document."""
        number = _metric_value(name, value)
        self._print(self._document([{"Name": name, "Unit": unit.value}], dimensions, {name: [number]}))

    def log_metrics(self, handler: Handler) -> Handler:
        """Decorate a Lambda handler: what it added is flushed when it returns or raises."""

        @functools.wraps(handler)
        def invoke(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            finally:
                self.flush_metrics()

        return invoke  # type: ignore[return-value]

    def _document(
        self, metrics: list[dict[str, str]], dimensions: Mapping[str, str], values: dict[str, list[float]]
    ) -> dict[str, Any]:
        all_dimensions = {"service": self.service, **dimensions}
        return {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {"Namespace": self.namespace, "Dimensions": [list(all_dimensions)], "Metrics": metrics}
                ],
            },
            **all_dimensions,
            **values,
        }

    def _print(self, document: dict[str, Any]) -> None:
        text = json.dumps(document, separators=(",", ":"))
        if self._write is not None:
            self._write(text)
        else:  # the stdout of the moment (the CLI redirects it around each invocation)
            print(text, flush=True)


def _metric_value(name: str, value: float) -> float:
    """A metric's value as CloudWatch takes it: a number (an int, float or Decimal), never a bool or a string."""
    if isinstance(value, bool | str | bytes):
        raise TypeError(f"metric {name}: {value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"metric {name}: {value!r} is not a number") from None
