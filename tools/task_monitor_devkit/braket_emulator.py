"""An in-process Amazon Braket that answers GetQuantumTask and GetJob at botocore's HTTP layer.

moto has no Braket backend, and stubbing the client (botocore's Stubber, mocks) would skip the two things
most likely to go wrong: botocore's request serialization (the task or job ARN URL-encoded into the path, the
``additionalAttributeNames`` querystring) and its response parsing (ISO-8601 timestamps, restJson1
errors). This emulator hooks ``before-send``, so everything but the socket is botocore's real code.

Not deployed: the ``local`` package is left out of the Lambda bundle; the demo and the tests use it.
"""

from __future__ import annotations

import contextlib
import copy
import email.utils
import functools
import json
import re
import sys
import threading
import uuid
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.client import BaseClient
from botocore.loaders import create_loader
from botocore.model import ServiceModel, StructureShape

from task_monitor_devkit.http_body import RawBody

__all__ = ["BraketEmulator", "EmulatedCall"]

_EVENT = "before-send.braket"
_OPERATION = "GetQuantumTask"
_JOB_OPERATION = "GetJob"
_QUEUE_INFO = "QueueInfo"
_NOT_FOUND = "ResourceNotFoundException"
_VALIDATION = "ValidationException"
_TASK_PATH = re.compile(r"^/quantum-task/(?P<arn>[^/]+)$")
_JOB_PATH = re.compile(r"^/job/(?P<arn>[^/]+)$")
_BRAKET_HOST = re.compile(r"^braket\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
_TASK_ARN = re.compile(r"^arn:aws[a-z-]*:braket:(?P<region>[a-z0-9-]+):\d{12}:quantum-task/[^/\s]+$")
_JOB_ARN = re.compile(r"^arn:aws[a-z-]*:braket:(?P<region>[a-z0-9-]+):\d{12}:job/[^/\s]+$")

ClientT = TypeVar("ClientT", bound=BaseClient)

# Every before-send handler runs even after one has answered, so a request must be answered once only,
# even when the same emulator is both attached to a client and installed, or two emulators are active.
_ANSWERED: weakref.WeakSet[AWSPreparedRequest] = weakref.WeakSet()


@dataclass(frozen=True)
class EmulatedCall:
    """One request the emulator answered, errors included, so tests can count attempts and regions."""

    region: str
    operation: str
    quantum_task_arn: str | None
    additional_attribute_names: tuple[str, ...]
    status_code: int
    error_code: str | None
    method: str
    url: str
    request_id: str
    job_arn: str | None = None  # GetJob's job; quantum_task_arn is None then


@dataclass
class _Fault:
    """An injected error waiting for the call it will answer."""

    code: str
    status_code: int
    message: str
    arn: str | None  # the task or job it answers; None: any
    remaining: int


@functools.cache
def _service_model() -> ServiceModel:
    """The Braket model botocore itself parses with, so codes, statuses and fields cannot drift from it."""
    return ServiceModel(create_loader().load_service_model("braket", "service-2"), service_name="braket")


@functools.cache
def _error_statuses() -> dict[str, int]:
    """Every Braket error shape and the HTTP status the service model gives it."""
    return {shape.name: int(shape.metadata["error"]["httpStatusCode"]) for shape in _service_model().error_shapes}


@functools.cache
def _output_shape(operation: str) -> StructureShape:
    """An operation's output shape: what a stored description may and must contain."""
    shape = _service_model().operation_model(operation).output_shape
    if not isinstance(shape, StructureShape):  # pragma: no cover - the model says it is a structure
        raise TypeError(f"{operation} has no structure output in botocore's model")
    return shape


def _task_shape() -> StructureShape:
    return _output_shape(_OPERATION)


def _task_region(task_arn: str) -> str | None:
    """The region a quantum-task ARN names; None when it is not a quantum-task ARN."""
    match = _TASK_ARN.match(task_arn)
    return match["region"] if match else None


def _job_region(job_arn: str) -> str | None:
    """The region a hybrid job ARN names; None when it is not a job ARN."""
    match = _JOB_ARN.match(job_arn)
    return match["region"] if match else None


def _check_description(description: Mapping[str, Any]) -> None:
    """Refuse task descriptions the real API could never return, so fixtures fail here and not in botocore."""
    _check_against(_OPERATION, description)
    if _task_region(str(description["quantumTaskArn"])) is None:
        raise ValueError(f"not a quantum-task ARN: {description['quantumTaskArn']!r}")


def _check_job_description(description: Mapping[str, Any]) -> None:
    """Refuse job descriptions GetJob could never return (timestamps in its events included)."""
    _check_against(_JOB_OPERATION, description)
    if _job_region(str(description["jobArn"])) is None:
        raise ValueError(f"not a hybrid job ARN: {description['jobArn']!r}")
    for event in description.get("events", []):
        _check_timestamp("events[].timeOfEvent", event.get("timeOfEvent"))


def _check_against(operation: str, description: Mapping[str, Any]) -> None:
    shape = _output_shape(operation)
    missing = [name for name in shape.required_members if name not in description]
    unknown = sorted(set(description) - set(shape.members))
    if missing or unknown:
        raise ValueError(f"not a {operation} description in JSON wire form: missing {missing}, unknown {unknown}")
    for name, member in shape.members.items():
        if member.type_name == "timestamp" and name in description:
            _check_timestamp(name, description[name])
    json.dumps(description)  # raises TypeError for anything JSON cannot carry


def _check_timestamp(name: str, value: Any) -> None:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an ISO-8601 string as on the wire, got {value!r}") from None


def _http_response(url: str, status_code: int, error_code: str | None, body: Any, request_id: str) -> AWSResponse:
    """A restJson1 response: botocore parses it exactly as one from the wire."""
    payload = json.dumps(body).encode("utf-8")
    headers = {
        "content-type": "application/json",
        "content-length": str(len(payload)),
        "date": email.utils.formatdate(usegmt=True),
        "x-amzn-RequestId": request_id,
    }
    if error_code is not None:
        headers["x-amzn-ErrorType"] = error_code
    return AWSResponse(url, status_code, headers, RawBody(payload))


def _request_region(request: AWSPreparedRequest, host: str | None) -> str:
    """The region that answers: the regional endpoint the request went to, else the client's region."""
    if host and (match := _BRAKET_HOST.match(host)):
        return match["region"]
    region = (request.context or {}).get("client_region")
    if not region:
        raise LookupError(f"BraketEmulator cannot tell the region of {request.url}")
    return str(region)


def _operation_name(event_name: str, method: str, path: str) -> str:
    """botocore's operation name from the event (before-send.braket.<Operation>), for clear errors."""
    parts = event_name.split(".")
    return parts[2] if len(parts) > 2 else f"{method} {path}"


class BraketEmulator:
    """An in-process Amazon Braket that answers GetQuantumTask and GetJob like the real API."""

    def __init__(self) -> None:
        self.calls: list[EmulatedCall] = []
        self._tasks: dict[str, dict[str, Any]] = {}
        self._jobs: dict[str, dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._hidden: dict[str, int] = {}
        self._lock = threading.Lock()
        self._installed = False
        self._unique_id = f"braket-emulator-{id(self)}"

    # ----------------------------------------------------------------------------------------- state

    def put_task(self, description: dict[str, Any]) -> None:
        """Store a task (JSON wire form); it lives in the region its ARN names, as on Braket."""
        _check_description(description)
        with self._lock:
            self._tasks[description["quantumTaskArn"]] = copy.deepcopy(description)

    def update_task(self, task_arn: str, **fields: Any) -> None:
        """Change a stored task, e.g. ``status="RUNNING"``; a field given as None is removed."""
        with self._lock:
            current = self._tasks[task_arn]
            updated = copy.deepcopy(current)
            for name, value in fields.items():
                if value is None:
                    updated.pop(name, None)
                else:
                    updated[name] = copy.deepcopy(value)
            if updated.get("quantumTaskArn") != task_arn:
                raise ValueError("update_task cannot change quantumTaskArn; put a new task instead")
            _check_description(updated)
            self._tasks[task_arn] = updated

    def put_job(self, description: dict[str, Any]) -> None:
        """Store a hybrid job (GetJob's answer in JSON wire form); it lives in the region its ARN names."""
        _check_job_description(description)
        with self._lock:
            self._jobs[description["jobArn"]] = copy.deepcopy(description)

    def update_job(self, job_arn: str, **fields: Any) -> None:
        """Change a stored job, e.g. ``status="RUNNING"``; a field given as None is removed."""
        with self._lock:
            updated = copy.deepcopy(self._jobs[job_arn])
            for name, value in fields.items():
                if value is None:
                    updated.pop(name, None)
                else:
                    updated[name] = copy.deepcopy(value)
            if updated.get("jobArn") != job_arn:
                raise ValueError("update_job cannot change jobArn; put a new job instead")
            _check_job_description(updated)
            self._jobs[job_arn] = updated

    def fail_next(
        self,
        code: str,
        *,
        times: int = 1,
        task_arn: str | None = None,
        job_arn: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls (GetQuantumTask for ``task_arn``, GetJob for ``job_arn``, or
        any call when neither is given) with error ``code``.

        The status code is the one botocore's Braket model gives the error shape, so botocore's retry
        logic sees what it would see from the real API (429 and 500 are retried in standard mode).
        """
        statuses = _error_statuses()
        if code not in statuses:
            raise ValueError(f"{code!r} is not a Braket error; choose from {sorted(statuses)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        if task_arn and job_arn:
            raise ValueError("a fault answers one resource: give task_arn or job_arn, not both")
        fault = _Fault(
            code=code,
            status_code=statuses[code],
            message=message or f"{code} injected by BraketEmulator",
            arn=task_arn or job_arn,
            remaining=times,
        )
        with self._lock:
            self._faults.append(fault)

    def hide_task(self, task_arn: str, *, calls: int) -> None:
        """The next ``calls`` GetQuantumTask calls for this task answer ResourceNotFoundException.

        Braket is eventually consistent: right after CreateQuantumTask (and its CREATED event), the
        task may not be found yet.
        """
        if calls < 0:
            raise ValueError("calls cannot be negative")
        with self._lock:
            if task_arn not in self._tasks:
                raise KeyError(f"put_task {task_arn} before hiding it")
            self._hidden[task_arn] = calls

    def hide_job(self, job_arn: str, *, calls: int) -> None:
        """The next ``calls`` GetJob calls for this job answer ResourceNotFoundException (just created)."""
        if calls < 0:
            raise ValueError("calls cannot be negative")
        with self._lock:
            if job_arn not in self._jobs:
                raise KeyError(f"put_job {job_arn} before hiding it")
            self._hidden[job_arn] = calls

    # ----------------------------------------------------------------------------------------- hooks

    def attach(self, client: ClientT) -> ClientT:
        """Serve this braket client, ahead of moto's built-in before-send handler."""
        if client.meta.service_model.service_name != "braket":
            raise ValueError(f"BraketEmulator serves braket clients, not {client.meta.service_model.service_name}")
        client.meta.events.register_first(_EVENT, self._handle, unique_id=self._unique_id)
        return client

    @contextlib.contextmanager
    def install(self) -> Iterator[BraketEmulator]:
        """While active, serve every braket client created in the process.

        Sessions copy ``botocore.handlers.BUILTIN_HANDLERS`` when they are made, and clients copy their
        session's handlers, so: the handler goes to the front of that list; boto3's cached default session
        is set aside (as moto does) so that ``boto3.client(...)`` builds a fresh one; and on exit the
        handler is removed, the old default session restored, and clients made meanwhile pass through.
        Sessions made before ``install`` (other than boto3's default one) are not served: use ``attach``.
        """
        if self._installed:
            raise RuntimeError("this BraketEmulator is already installed")
        spec = (_EVENT, self._handle_installed, botocore.handlers.REGISTER_FIRST)
        botocore.handlers.BUILTIN_HANDLERS.insert(0, spec)
        boto3 = sys.modules.get("boto3")
        saved_session = getattr(boto3, "DEFAULT_SESSION", None)
        if boto3 is not None:
            boto3.DEFAULT_SESSION = None  # type: ignore[attr-defined]
        self._installed = True
        try:
            yield self
        finally:
            self._installed = False
            handlers = botocore.handlers.BUILTIN_HANDLERS
            handlers[:] = [entry for entry in handlers if entry is not spec]
            if boto3 is not None:
                boto3.DEFAULT_SESSION = saved_session  # type: ignore[attr-defined]

    def _handle_installed(self, request: AWSPreparedRequest, event_name: str = "", **kwargs: Any) -> Any:
        """The installed handler: clients made during ``install`` keep it, so it goes quiet on exit."""
        if not self._installed:
            return None
        return self._handle(request, event_name=event_name, **kwargs)

    # -------------------------------------------------------------------------------------- requests

    def _handle(self, request: AWSPreparedRequest, event_name: str = "", **_: Any) -> AWSResponse | None:
        """Answer a Braket request; None (pass through) for other services or one already answered."""
        if event_name and not (event_name == _EVENT or event_name.startswith(_EVENT + ".")):
            return None
        if request in _ANSWERED:
            return None
        url = urlsplit(request.url)
        region = _request_region(request, url.hostname)
        match = _TASK_PATH.match(url.path)
        job_match = _JOB_PATH.match(url.path)
        request_id = str(uuid.uuid4())
        task_arn: str | None = None
        job_arn: str | None = None
        names = tuple(parse_qs(url.query).get("additionalAttributeNames", []))
        if request.method == "GET" and match is not None:
            task_arn = unquote(match["arn"])
            status_code, error_code, body = self._get_quantum_task(region, task_arn, names)
            operation = _OPERATION
        elif request.method == "GET" and job_match is not None:
            job_arn = unquote(job_match["arn"])
            status_code, error_code, body = self._get_job(region, job_arn, names)
            operation = _JOB_OPERATION
        else:
            operation = _operation_name(event_name, request.method, url.path)
            names = ()
            status_code, error_code = _error_statuses()[_VALIDATION], _VALIDATION
            body = {
                "message": f"BraketEmulator does not implement {operation}; only {_OPERATION} and "
                f"{_JOB_OPERATION} are emulated"
            }
        _ANSWERED.add(request)
        with self._lock:
            self.calls.append(
                EmulatedCall(
                    region=region,
                    operation=operation,
                    quantum_task_arn=task_arn,
                    additional_attribute_names=names,
                    status_code=status_code,
                    error_code=error_code,
                    method=request.method,
                    url=request.url,
                    request_id=request_id,
                    job_arn=job_arn,
                )
            )
        return _http_response(request.url, status_code, error_code, body, request_id)

    def _get_quantum_task(
        self, region: str, task_arn: str, names: tuple[str, ...]
    ) -> tuple[int, str | None, dict[str, Any]]:
        """GetQuantumTask: injected errors first, then validation, eventual consistency, and the lookup."""
        with self._lock:
            fault = self._take_fault(task_arn)
            if fault is not None:
                return fault.status_code, fault.code, {"message": fault.message}
            unsupported = [name for name in names if name != _QUEUE_INFO]
            if unsupported:
                return self._error(_VALIDATION, f"Unsupported additionalAttributeNames: {unsupported}")
            if self._hidden.get(task_arn, 0) > 0:
                self._hidden[task_arn] -= 1
                return self._error(_NOT_FOUND, f"Quantum task {task_arn} not found.")
            task = self._tasks.get(task_arn)
            # A task exists only in the region its ARN names; any other region's API does not know it.
            if task is None or _task_region(task_arn) != region:
                return self._error(_NOT_FOUND, f"Quantum task {task_arn} not found.")
            body = copy.deepcopy(task)
        if _QUEUE_INFO not in names:
            body.pop("queueInfo", None)
        return 200, None, body

    def _get_job(self, region: str, job_arn: str, names: tuple[str, ...]) -> tuple[int, str | None, dict[str, Any]]:
        """GetJob: injected errors first, then validation, eventual consistency, and the lookup."""
        with self._lock:
            fault = self._take_fault(job_arn)
            if fault is not None:
                return fault.status_code, fault.code, {"message": fault.message}
            unsupported = [name for name in names if name != _QUEUE_INFO]
            if unsupported:
                return self._error(_VALIDATION, f"Unsupported additionalAttributeNames: {unsupported}")
            if self._hidden.get(job_arn, 0) > 0:
                self._hidden[job_arn] -= 1
                return self._error(_NOT_FOUND, f"Job {job_arn} not found.")
            job = self._jobs.get(job_arn)
            # A job exists only in the region its ARN names.
            if job is None or _job_region(job_arn) != region:
                return self._error(_NOT_FOUND, f"Job {job_arn} not found.")
            body = copy.deepcopy(job)
        if _QUEUE_INFO not in names:
            body.pop("queueInfo", None)
        return 200, None, body

    @staticmethod
    def _error(code: str, message: str) -> tuple[int, str, dict[str, Any]]:
        return _error_statuses()[code], code, {"message": message}

    def _take_fault(self, arn: str) -> _Fault | None:
        """Consume one use of the first queued fault that applies to this task or job (lock held)."""
        for fault in self._faults:
            if fault.arn is None or fault.arn == arn:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None
