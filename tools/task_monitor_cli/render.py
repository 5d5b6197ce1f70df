"""Console text shared by the commands: one line per event, emails in a frame, short names for ARNs and callers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from task_monitor.domain import registry
from task_monitor.domain.arns import parse_device_arn
from task_monitor.domain.kinds.job.name import job_label
from task_monitor.domain.notification_model import safe_text


def short_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1][:8]


def kind_of_arn(arn: str) -> str | None:
    """task, job or device (the registry's kind names), from the ARN's resource type; None for anything else."""
    kind = registry.kind_of_arn(arn)
    return kind.name if kind else None


def device_label(device_arn: str) -> str:
    """``ionq/Forte-1`` from a device ARN (provider and name)."""
    device = parse_device_arn(device_arn)
    if device is not None:
        return device.label
    return device_arn.split("/", 2)[-1] if "/" in device_arn else device_arn


# -- one line per event --------------------------------------------------------------------------
def event_line(event: Any, outcome: str, note: str = "") -> str:
    """When, what kind, what it says, about what, and what the function made of it."""
    if not isinstance(event, dict):
        event = {}
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    assert isinstance(detail, dict)
    kind = registry.kind_of_detail_type(event.get("detail-type")) or registry.TASK
    when = str(short_time(event.get("time", "?")))
    what, about, target = _EVENT_LINE_PARTS[kind.name](event, detail)
    line = f"{when:<19}  {kind.label:<6}  {what!s:<17}  {about:<18}  {target:<8}  {outcome}"
    return safe_text(f"{line}  ({note})" if note else line)  # one event, one line, nothing a terminal acts on


def _task_line(event: dict[str, Any], detail: dict[str, Any]) -> tuple[Any, str, str]:
    device = device_label(str(detail.get("deviceArn", "?")))
    return detail.get("status", "?"), device, short_id(str(detail.get("quantumTaskArn", "?")))


def _job_line(event: dict[str, Any], detail: dict[str, Any]) -> tuple[Any, str, str]:
    return detail.get("status", "?"), job_label(detail.get("jobName"), _arn_of(event, detail, "jobArn")), ""


def _device_line(event: dict[str, Any], detail: dict[str, Any]) -> tuple[Any, str, str]:
    status = detail.get("status", detail.get("deviceStatus", "?"))
    return status, device_label(_arn_of(event, detail, "deviceArn")), ""


def _call_line(event: dict[str, Any], detail: dict[str, Any]) -> tuple[Any, str, str]:
    return detail.get("eventName", "?"), caller_name(detail.get("userIdentity")), _call_target(detail)


def _spend_line(event: dict[str, Any], detail: dict[str, Any]) -> tuple[Any, str, str]:
    what = f"${detail.get('totalSpend', '?')} of ${detail.get('spendingLimit', '?')}"
    device = device_label(str(detail.get("deviceArn", "?")))
    return what, device, short_id(_arn_of(event, detail, "spendingLimitArn"))


# What an event line says of each kind in the registry (what, about whom, which resource).
_EVENT_LINE_PARTS: dict[str, Callable[[dict[str, Any], dict[str, Any]], tuple[Any, str, str]]] = {
    registry.TASK.name: _task_line,
    registry.JOB.name: _job_line,
    registry.DEVICE.name: _device_line,
    registry.API_CALL.name: _call_line,
    registry.SPENDING_LIMIT.name: _spend_line,
}


def _arn_of(event: dict[str, Any], detail: dict[str, Any], field: str) -> str:
    """The ARN the detail names, else the first one in ``resources``."""
    value = detail.get(field)
    if isinstance(value, str):
        return value
    resources = event.get("resources")
    return str(resources[0]) if isinstance(resources, list) and resources else "?"


def _call_target(detail: dict[str, Any]) -> str:
    """The task's short id or the job's name (a CreateJob's ``jobName``, else its label) a CloudTrail call acts on."""
    request = detail.get("requestParameters")
    name = request.get("jobName") if isinstance(request, dict) else None
    for part in ("responseElements", "requestParameters"):
        elements = detail.get(part)
        if isinstance(elements, dict):
            if isinstance(elements.get("quantumTaskArn"), str):
                return short_id(elements["quantumTaskArn"])
            if isinstance(elements.get("jobArn"), str):
                return job_label(name, elements["jobArn"])
    return "?"


def caller_name(identity: Any) -> str:
    """Who made a call, short: the IAM user's name, the role session's name, or the AWS service."""
    if not isinstance(identity, dict):
        return "?"
    if identity.get("userName"):
        return str(identity["userName"])
    arn = str(identity.get("arn", ""))
    if ":assumed-role/" in arn:
        return arn.rsplit("/", 1)[-1]
    return str(identity.get("invokedBy") or identity.get("type") or "?")


def short_time(instant: Any) -> Any:
    """``2026-11-20 09:10:00`` from an ISO-8601 UTC instant (a listing's cell; the JSON and CSV keep
    the instant as recorded); anything else as it is."""
    if isinstance(instant, str) and len(instant) >= 19 and instant[10:11] == "T":
        return instant[:19].replace("T", " ")
    return instant


def caller_text(caller: Any) -> str:
    """A recorded caller (``createdBy``, ``cancelledBy``), short: ``role/QuantumResearcher (alice)``."""
    if not isinstance(caller, dict):
        return ""
    principal = str(caller.get("principal", "unknown"))
    if principal.startswith("arn:"):
        resource = principal.split(":", 5)[-1]
        kind, _, name = resource.partition("/")
        principal = f"{kind}/{name.rsplit('/', 1)[-1]}" if name else resource
    return f"{principal} ({caller['sessionName']})" if caller.get("sessionName") else principal


def rollup_text(summary: Any, *, shots: bool = True) -> str:
    """A job's task roll-up, short: ``3 (2 COMPLETED, 1 CANCELLED), 900 shots requested, 600 successful``."""
    if not isinstance(summary, dict):
        return ""
    states = ", ".join(f"{count} {status}" for status, count in summary.get("byStatus", {}).items())
    text = f"{summary.get('count', 0)} ({states})" if states else str(summary.get("count", 0))
    if shots and "shotsRequested" in summary:
        text += f", {summary['shotsRequested']} shots requested"
        if "successfulShots" in summary:
            text += f", {summary['successfulShots']} successful"
    return text


def email(subject: str, text: str) -> str:
    """An email as its reader sees it, indented under the event that caused it."""
    lines = [f"Subject: {subject}", "", *text.rstrip("\n").splitlines()]
    bar = "    " + "~" * 72
    return "\n".join([bar, *(f"    | {line}".rstrip() for line in lines), bar])


def email_subject(subject: str) -> str:
    """A routine email, by its subject only."""
    return f"    email: {subject}"
