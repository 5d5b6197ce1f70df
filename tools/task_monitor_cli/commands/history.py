"""``task-monitor history ARN``: a task's, job's, device's or spending limit's trail, event by event."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from task_monitor.domain.notification_model import format_duration
from task_monitor_cli.errors import CommandFailedError, UsageError
from task_monitor_cli.output import Column, Output
from task_monitor_cli.render import caller_text, kind_of_arn, rollup_text, short_id, short_time
from task_monitor_cli.target import TABLE, add_target_options, open_target

NAME = "history"
SUMMARY = "the audit trail of a quantum task, hybrid job, device or spending limit"
EXAMPLES = """\
  task-monitor history arn:aws:braket:us-east-1:123456789012:quantum-task/0f3c...
  task-monitor history --demo arn:aws:braket:us-east-1:123456789012:quantum-task/d6dbdceb-adbc-5c51-af17-0047bc87fffa
  task-monitor history ARN --json            # every record as stored (plain JSON)
  task-monitor history ARN --stack MyMonitor --region eu-west-2
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("arn", metavar="ARN", help="a quantum task, hybrid job, device or spending limit ARN")
    add_target_options(parser, names=(TABLE,))


def run(args: argparse.Namespace, output: Output) -> int:
    kind = kind_of_arn(args.arn)
    if kind is None:
        raise UsageError(
            f"{args.arn} is not a quantum task, hybrid job, device or spending limit ARN; give the whole ARN"
            " (`task-monitor tasks --json` and `jobs --json` list them)"
        )
    with open_target(args) as target:
        log = target.audit_log()
        history, latest = log.history(args.arn), log.latest(args.arn)
        where = "the events given (`task-monitor tasks` with the same --demo/--events lists them)"
        if not target.embedded:
            where = "the stack (--stack, --region)"
    if not history:
        raise CommandFailedError(f"no events recorded for {args.arn}: check the ARN and {where}")
    if output.format == "json":
        output.document({"arn": args.arn, "kind": kind, "latest": latest, "history": history})
        return 0
    show_history(output, kind, history, latest)
    return 0


def show_history(output: Output, kind: str, history: list[dict[str, Any]], latest: dict[str, Any] | None) -> None:
    """The trail as a table of the kind's own columns, then its latest state (the demo shows it the same way)."""
    columns, row = _ROWS.get(kind, _ROWS["task"])
    rows = [row(record) for record in history]
    if output.is_text:  # to the second for reading; CSV keeps each instant as recorded
        rows = [{**line, "time": short_time(line["time"])} for line in rows]
    output.table(columns, rows)
    if latest:
        output.line(latest_line(kind, latest))


def latest_line(kind: str, latest: dict[str, Any]) -> str:
    """The latest state under the table: status, who created and cancelled it, its cost or roll-up."""
    parts = [f"Latest state: {latest.get('status', '(no state event yet)')}"]
    if kind == "device":
        parts.append(f"last event {latest.get('eventTime')}")
    for field, label in (("createdBy", "created by"), ("cancelledBy", "cancelled by")):
        if field in latest:
            parts.append(f"{label} {caller_text(latest[field])}")
    if "taskSummary" in latest:
        parts.append(f"tasks {rollup_text(latest['taskSummary'])}")
    cost = cost_text(latest.get("estimatedCost"))
    if cost:
        parts.append(f"estimated cost {cost}")
    return ", ".join(parts)


def cost_text(cost: Any, *, brief: bool = False) -> str:
    """``~$0.62 (100 successful shots)``: an estimate, never a bill; empty when there is none. Without
    an amount, ``≥$48.60`` when some parts are priced, else ``unknown``, saying why unless ``brief``
    (a listing's cell: the basis is in its JSON)."""
    if not isinstance(cost, dict):
        return ""
    amount = cost.get("amountUsd")
    if amount is None:
        from task_monitor.domain.cost.display import priced_parts

        floor = cost.get("atLeastUsd") or priced_parts(cost)
        known = f"≥${floor}" if floor else "unknown"  # a job whose instances have no price, say
        return known if brief else f"{known} (" + str(cost.get("basis", "no price")) + ")"
    mark = "~" if cost.get("approximate") else ""
    shots = f" ({cost['shots']} {cost.get('shotsBasis', '')} shots)" if cost.get("shots") is not None else ""
    return f"{mark}${amount}{shots}"


def _what(record: dict[str, Any]) -> str:
    return str(record["status"]) if "status" in record else str(record.get("eventName", "?"))


def _who(record: dict[str, Any]) -> str:
    """Who made the call (call rows only; a state event's callers are on the latest state)."""
    if "status" in record:
        return ""
    return caller_text(record.get("createdBy") or record.get("cancelledBy") or record.get("attemptedBy"))


def _queue(record: dict[str, Any]) -> str:
    queue = record.get("queueInfo") or {}
    position = queue.get("position")
    return f"{queue.get('queue', '')} #{position}" if position and position != "None" else ""


def _notes(record: dict[str, Any]) -> str:
    notes = []
    said = record.get("statusAtEnrichment")
    if said and said != record.get("status"):
        notes.append(f"Braket said {said}")
    if record.get("enrichmentError"):
        notes.append(f"not enriched ({record['enrichmentError'].get('code', '?')})")
    timings = record.get("timings") or {}
    labels = {"queuedSeconds": "queued", "runningSeconds": "ran", "totalSeconds": "total"}
    notes += [f"{label} {format_duration(timings[key])}" for key, label in labels.items() if key in timings]
    if record.get("failureReason"):
        notes.append(str(record["failureReason"]))
    arrival = record.get("arrival") or {}
    if arrival.get("via") not in (None, "queue"):
        notes.append(f"arrived by {arrival['via']}")
    return "; ".join(notes)


def _task_row(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "time": record.get("eventTime"),
        "status": _what(record),
        "who": _who(record),
        "queue": _queue(record),
        "shotsOk": record.get("numSuccessfulShots"),
        "cost": cost_text(record.get("estimatedCost"), brief=True),  # an unknown one's basis is on the latest line
        "notes": _notes(record),
        "event": str(record.get("eventId", ""))[:8],
    }


def _job_row(record: dict[str, Any]) -> dict[str, Any]:
    return {**_task_row(record), "tasks": rollup_text(record.get("taskSummary"), shots=False)}


def _device_row(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "time": record.get("eventTime"),
        "status": record.get("status"),
        "detailType": record.get("detailType"),  # Braket sends availability under two names
        "waiting": record.get("waitingTasks"),  # counted only when the event changed the device's availability
        "event": str(record.get("eventId", ""))[:8],
    }


def _spend_row(record: dict[str, Any]) -> dict[str, Any]:
    task = record.get("quantumTaskArn")
    return {
        "time": record.get("eventTime"),
        "status": record.get("status"),
        "spend": f"${record.get('totalSpend')} of ${record.get('spendingLimit')} ({record.get('percentOfLimit')} %)",
        "queued": f"${record['queuedSpend']}" if record.get("queuedSpend") is not None else "",
        "task": short_id(task) if isinstance(task, str) else "",
        "threshold": f"{record['thresholdReached']} %" if record.get("thresholdReached") else "",
        "event": str(record.get("eventId", ""))[:8],
    }


_COMMON = (Column("time", "time (UTC)"), Column("status", "status / call"))
_ROWS: dict[str, tuple[tuple[Column, ...], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "task": (
        (
            *_COMMON,
            Column("who", "who", wrap=True),
            Column("queue", "queue position"),
            Column("shotsOk", "shots ok", numeric=True),
            Column("cost", "est. cost", wrap=True),
            Column("notes", "notes", wrap=True),
            Column("event", "event"),
        ),
        _task_row,
    ),
    "job": (
        (
            *_COMMON,
            Column("who", "who", wrap=True),
            Column("queue", "queue"),
            Column("tasks", "tasks", wrap=True),
            Column("cost", "est. cost", wrap=True),
            Column("notes", "notes", wrap=True),
            Column("event", "event"),
        ),
        _job_row,
    ),
    "device": (
        (
            *_COMMON,
            Column("detailType", "detail-type"),
            Column("waiting", "tasks waiting", numeric=True),
            Column("event", "event"),
        ),
        _device_row,
    ),
    "spending_limit": (
        (
            *_COMMON,
            Column("spend", "total spend"),
            Column("queued", "queued"),
            Column("task", "task"),
            Column("threshold", "announced"),
            Column("event", "event"),
        ),
        _spend_row,
    ),
}
