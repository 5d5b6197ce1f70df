"""Parse a Braket API call that CloudTrail sent through EventBridge: who created or cancelled what.

The event's ``detail`` is the CloudTrail record. Only the four calls that create or cancel a task or
a job are taken (``JOINED_API_CALLS``); their target ARN is the join key with the state events.
What is kept of the caller is an allow-list: the identity (never an access key id, a session token
or a credential), where the call came from, and a few request parameters that say what was asked
(never the program, the device parameters, tokens or hyperparameter values). A call that failed
(``errorCode``) created or cancelled nothing: it is valid input with nothing to join.

The call arrives whole (a replay, a dead letter from before the main region's reduced rule) or reduced
by that rule's input transformer (``infra/braket_events.py``) to the fields read here, where a field the
call lacked may be absent, ``null`` or ``""``: all three read as "not given".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Required, TypedDict
from urllib.parse import unquote

from task_monitor.domain.arns import is_within_limit, parse_job_arn, parse_task_arn
from task_monitor.domain.arrival import ArrivalField
from task_monitor.domain.callers import CANCELLED_BY, CREATED_BY, Caller, SessionIssuer
from task_monitor.domain.detail_types import API_CALL_VIA_CLOUDTRAIL, CLOUDTRAIL_EVENT_SOURCE, JOINED_API_CALLS
from task_monitor.domain.validation import instant, invalid_arn, optional_text, parse_envelope, quote_value
from task_monitor.errors import InvalidEventError

# Which resource each call acts on, and whether it creates or cancels it.
_TARGETS: dict[str, tuple[str, str, str]] = {  # eventName -> (kind, ARN field, role)
    "CreateQuantumTask": ("task", "quantumTaskArn", CREATED_BY),
    "CreateJob": ("job", "jobArn", CREATED_BY),
    "CancelQuantumTask": ("task", "quantumTaskArn", CANCELLED_BY),
    "CancelJob": ("job", "jobArn", CANCELLED_BY),
}
assert set(_TARGETS) == set(JOINED_API_CALLS)


IDENTITY_TEXT_LIMIT = 1024  # an ARN, id or name longer than this is not one
USER_AGENT_LIMIT = 256  # enough for the SDK's name and version; the rest is noise
ERROR_CODE_LIMIT = 64
ERROR_MESSAGE_LIMIT = 512  # Braket's messages are a sentence or two; a longer one is cut, never rejected
PARAMETER_TEXT_LIMIT = 1024
MOST_TAGS = 50  # Braket's own limit per resource
MOST_HYPERPARAMETER_KEYS = 100


class ApiCallRecord(TypedDict, total=False):
    """One joined call, as its history item keeps it: no ``status`` (it ranks nowhere in the
    lifecycle, so it never moves the latest state by itself); the caller under its role's field."""

    eventId: Required[str]  # the EventBridge event's id: the item's identity, for deduplication
    eventTime: Required[str]  # the CloudTrail eventTime (when the call was made)
    eventName: Required[str]  # CreateQuantumTask, CreateJob, CancelQuantumTask, CancelJob
    quantumTaskArn: str
    jobArn: str
    region: str
    createdBy: Caller
    cancelledBy: Caller
    errorCode: str  # only on a failed call's result; never stored
    arrival: ArrivalField  # how the call's event reached the function (domain.arrival)


@dataclass(frozen=True)
class ApiCall:
    """A parsed call: its target (None when the call failed) and its caller."""

    event_id: str
    event_time: str
    event_name: str
    kind: str  # "task" or "job": the kind of resource the call creates or cancels
    arn_field: str
    role: str  # CREATED_BY or CANCELLED_BY
    target_arn: str | None
    error_code: str | None
    region: str | None
    caller: Caller
    error_message: str | None = None  # a failed call's errorMessage, cut to ERROR_MESSAGE_LIMIT
    request_parameters: dict[str, Any] | None = None  # what was asked (allow-listed), for a failed call too

    @property
    def joinable(self) -> bool:
        return self.target_arn is not None

    def record(self, arrival: ArrivalField | None = None) -> ApiCallRecord:
        """The record stored in the target's history (or, for a failed call, returned unstored)."""
        record: dict[str, Any] = {
            "eventId": self.event_id,
            "eventTime": self.event_time,
            "eventName": self.event_name,
            self.role: self.caller,
        }
        if arrival is not None:
            record["arrival"] = arrival
        if self.target_arn is not None:
            record[self.arn_field] = self.target_arn
        if self.region:
            record["region"] = self.region
        if self.error_code is not None:
            record["errorCode"] = self.error_code
        return record  # type: ignore[return-value]


def parse_api_call(event: Any) -> ApiCall:
    """Validate a CloudTrail-borne Braket call; raise InvalidEventError naming the field."""
    envelope = parse_envelope(event, API_CALL_VIA_CLOUDTRAIL)
    detail = envelope.detail
    if detail.get("eventSource") != CLOUDTRAIL_EVENT_SOURCE:
        raise InvalidEventError(
            "detail.eventSource", f"expected {CLOUDTRAIL_EVENT_SOURCE!r}, got {quote_value(detail.get('eventSource'))}"
        )
    event_name = detail.get("eventName")
    if not isinstance(event_name, str) or event_name not in _TARGETS:
        expected = ", ".join(JOINED_API_CALLS)
        raise InvalidEventError("detail.eventName", f"expected one of {expected}, got {quote_value(event_name)}")
    kind, arn_field, role = _TARGETS[event_name]
    # CloudTrail always dates the call; if a record ever lacks it, the delivery's time is close enough.
    # (A call reduced by the rule's input transformer may say "" for a field it lacked: not given.)
    event_time = instant(detail.get("eventTime") or None, "detail.eventTime") or envelope.event_time
    error_code = _error_code(detail)
    target = None if error_code is not None else _target_arn(detail, event_name, arn_field)
    return ApiCall(
        event_id=envelope.event_id,
        event_time=event_time,
        event_name=event_name,
        kind=kind,
        arn_field=arn_field,
        role=role,
        target_arn=target,
        error_code=error_code,
        region=optional_text(detail, "awsRegion", "detail.awsRegion") or envelope.region,
        caller=build_caller(detail, event_name, event_time),
        error_message=_error_message(detail) if error_code is not None else None,
        request_parameters=allowed_request_parameters(event_name, detail.get("requestParameters")) or None,
    )


# -- the target ---------------------------------------------------------------------------------
def _error_code(detail: dict[str, Any]) -> str | None:
    code = detail.get("errorCode")
    if code is None or code == "":
        return None
    if not isinstance(code, str | int):
        raise InvalidEventError("detail.errorCode", f"expected a string, got {type(code).__name__}")
    return str(code)[:ERROR_CODE_LIMIT]


def _error_message(detail: dict[str, Any]) -> str | None:
    """Free text from the service: kept short, never a reason to reject the call."""
    message = detail.get("errorMessage")
    if not isinstance(message, str) or not message:
        return None
    return message.encode("utf-8", "replace").decode("utf-8")[:ERROR_MESSAGE_LIMIT]


def _target_arn(detail: dict[str, Any], event_name: str, arn_field: str) -> str:
    """Create*: the ARN the call returned. Cancel*: the ARN asked for (else the one returned)."""
    request, response = _object_or_none(detail, "requestParameters"), _object_or_none(detail, "responseElements")
    sources = ("responseElements",) if event_name.startswith("Create") else ("requestParameters", "responseElements")
    found: dict[str, str] = {}
    for source in sources:
        container = request if source == "requestParameters" else response
        if container is not None and container.get(arn_field) not in (None, ""):
            found[source] = _checked_arn(container[arn_field], arn_field, f"detail.{source}.{arn_field}")
    if not found:
        raise InvalidEventError(f"detail.{sources[0]}.{arn_field}", "missing (a call that succeeded names its target)")
    if len(set(found.values())) > 1:
        raise InvalidEventError(f"detail.responseElements.{arn_field}", "names another resource than the request")
    return found[sources[0]] if sources[0] in found else found[sources[-1]]


def _checked_arn(value: object, arn_field: str, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidEventError(path, f"expected a string, got {type(value).__name__}")
    # A URI parameter may reach the record percent-encoded; accept it only if it decodes to an ARN.
    decoded = unquote(value) if "%" in value else value
    for candidate in (value, decoded):
        if _is_arn_of(candidate, arn_field):
            return candidate
    kind = "quantum task" if arn_field == "quantumTaskArn" else "hybrid job"
    # Too long even decoded: say so, and the limit; otherwise quote the value as it came.
    raise invalid_arn(path, value if is_within_limit(decoded) else decoded, f"a {kind} ARN")


def _is_arn_of(value: str, arn_field: str) -> bool:
    if arn_field == "quantumTaskArn":
        return parse_task_arn(value) is not None
    return parse_job_arn(value) is not None


def _object_or_none(detail: dict[str, Any], key: str) -> dict[str, Any] | None:
    """requestParameters / responseElements: null for some calls, and tolerated if not an object."""
    value = detail.get(key)
    return value if isinstance(value, dict) else None


# -- the caller ---------------------------------------------------------------------------------
def build_caller(detail: dict[str, Any], event_name: str, event_time: str) -> Caller:
    """Who made the call, from ``userIdentity`` and the record's own fields: an allow-list."""
    identity = detail.get("userIdentity")
    if not isinstance(identity, dict):
        raise InvalidEventError("detail.userIdentity", "missing or not an object")
    identity_type = _identity_text(identity, "type", "detail.userIdentity.type")
    arn = _identity_text(identity, "arn", "detail.userIdentity.arn")
    invoked_by = _identity_text(identity, "invokedBy", "detail.userIdentity.invokedBy")
    issuer = _session_issuer(identity)
    caller: dict[str, Any] = {
        "principal": _principal(issuer, arn, identity_type, invoked_by),
        "identityType": identity_type,
        "arn": arn,
        "principalId": _identity_text(identity, "principalId", "detail.userIdentity.principalId"),
        "accountId": _identity_text(identity, "accountId", "detail.userIdentity.accountId"),
        "userName": _identity_text(identity, "userName", "detail.userIdentity.userName"),
        "sessionIssuer": issuer or None,
        "sessionName": _session_name(arn),
        "invokedBy": invoked_by,
        "sourceIPAddress": _identity_text(detail, "sourceIPAddress", "detail.sourceIPAddress"),
        "userAgent": _user_agent(detail.get("userAgent")),
        "eventName": event_name,
        "eventTime": event_time,
        "cloudTrailEventId": _identity_text(detail, "eventID", "detail.eventID"),
        "requestParameters": allowed_request_parameters(event_name, detail.get("requestParameters")) or None,
    }
    return {key: value for key, value in caller.items() if value is not None}  # type: ignore[return-value]


def _principal(issuer: SessionIssuer, arn: str | None, identity_type: str | None, invoked_by: str | None) -> str:
    """The stable "who": the role behind a session, else the identity's ARN, else type and service."""
    if issuer.get("arn"):
        return issuer["arn"]
    if arn:
        return arn
    return ":".join(part for part in (identity_type or "UnknownIdentity", invoked_by) if part)


def _session_issuer(identity: dict[str, Any]) -> SessionIssuer:
    context = identity.get("sessionContext")
    issuer = context.get("sessionIssuer") if isinstance(context, dict) else None
    if not isinstance(issuer, dict):
        return {}
    path = "detail.userIdentity.sessionContext.sessionIssuer"
    fields = {name: _identity_text(issuer, name, f"{path}.{name}") for name in ("type", "arn", "userName")}
    return {name: value for name, value in fields.items() if value}  # type: ignore[return-value]


def _session_name(arn: str | None) -> str | None:
    """``arn:aws:sts::<account>:assumed-role/<role>/<session>`` -> the session name (often a person)."""
    if not arn or ":assumed-role/" not in arn:
        return None
    parts = arn.split(":assumed-role/", 1)[1].split("/")
    return parts[-1] if len(parts) >= 2 and parts[-1] else None


def _identity_text(container: dict[str, Any], key: str, path: str) -> str | None:
    value = optional_text(container, key, path)
    if value is not None and len(value) > IDENTITY_TEXT_LIMIT:
        raise InvalidEventError(path, f"longer than {IDENTITY_TEXT_LIMIT} characters")
    return value or None


def _user_agent(value: object) -> str | None:
    """Free text naming the SDK and its version: kept short, never a reason to reject the call."""
    if not isinstance(value, str) or not value:
        return None
    text = value.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= USER_AGENT_LIMIT else text[: USER_AGENT_LIMIT - 3] + "..."


# -- request parameters: an allow-list, each value checked for its shape --------------------------
def allowed_request_parameters(event_name: str, parameters: object) -> dict[str, Any]:
    """What the call asked for, as far as it is safe and small to keep; a value of an unexpected
    shape is left out (these are informational, never a reason to reject the call)."""
    if not isinstance(parameters, dict):
        return {}
    kept: dict[str, Any]
    if event_name == "CreateQuantumTask":
        kept = {
            "deviceArn": _text(parameters.get("deviceArn")),
            "shots": _count(parameters.get("shots")),
            "outputS3Bucket": _text(parameters.get("outputS3Bucket")),
            "outputS3KeyPrefix": _text(parameters.get("outputS3KeyPrefix")),
            "tags": _tags(parameters.get("tags")),
            "associations": _associations(parameters.get("associations")),
            "experimentalCapabilities": _fields(parameters.get("experimentalCapabilities"), {"enabled": _text}),
        }
    elif event_name == "CreateJob":
        kept = {
            "jobName": _text(parameters.get("jobName")),
            "roleArn": _text(parameters.get("roleArn")),
            "deviceConfig": _fields(parameters.get("deviceConfig"), {"device": _text}),
            "instanceConfig": _fields(
                parameters.get("instanceConfig"),
                {"instanceType": _text, "volumeSizeInGb": _count, "instanceCount": _count},
            ),
            "stoppingCondition": _fields(parameters.get("stoppingCondition"), {"maxRuntimeInSeconds": _count}),
            "tags": _tags(parameters.get("tags")),
            "associations": _associations(parameters.get("associations")),
            "hyperParameterKeys": _keys(parameters.get("hyperParameters")),
            "algorithmSpecification": _algorithm(parameters.get("algorithmSpecification")),
        }
    else:
        arn_field = _TARGETS[event_name][1]
        kept = {arn_field: _text(parameters.get(arn_field))}
    return {name: value for name, value in kept.items() if value not in (None, {}, [])}


def _text(value: object) -> str | None:
    if not isinstance(value, str) or not value or len(value) > PARAMETER_TEXT_LIMIT:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value < 10**15:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        return int(value)
    return None


def _fields(value: object, allowed: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    kept = {name: check(value.get(name)) for name, check in allowed.items()}
    return {name: item for name, item in kept.items() if item is not None} or None


def _tags(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    kept = {key: _text(item) for key, item in list(value.items())[:MOST_TAGS] if _text(key)}
    return {key: item for key, item in kept.items() if item is not None} or None


def _associations(value: object) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        return None
    kept = [_fields(item, {"arn": _text, "type": _text}) for item in value[:MOST_TAGS]]
    return [item for item in kept if item] or None


def _keys(value: object) -> list[str] | None:
    """Hyperparameter names only: their values are free-form user data."""
    if not isinstance(value, dict):
        return None
    return sorted(key for key in list(value)[:MOST_HYPERPARAMETER_KEYS] if _text(key)) or None


def _algorithm(value: object) -> dict[str, Any] | None:
    """The entry point of a script, or the container image: what ran, not where its code is kept."""
    if not isinstance(value, dict):
        return None
    kept = {
        "scriptModeConfig": _fields(value.get("scriptModeConfig"), {"entryPoint": _text}),
        "containerImage": _fields(value.get("containerImage"), {"uri": _text}),
    }
    return {name: item for name, item in kept.items() if item} or None
