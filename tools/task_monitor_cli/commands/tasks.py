"""``task-monitor tasks``: quantum tasks by device, status, job, tag, creator and creation time.

Answered from the audit table's indexes, page by page (never a scan): the index is chosen by the
most selective filter (docs/listings.md). --since and --until bound the task's creation time.
"""

from __future__ import annotations

import argparse
from typing import Any

from task_monitor.domain.notification_model import format_duration
from task_monitor_cli.errors import UsageError
from task_monitor_cli.listing_command import add_listing_options, listed_cost, show_listing
from task_monitor_cli.output import Column, Output
from task_monitor_cli.render import caller_text, device_label, short_id, short_time

NAME = "tasks"
SUMMARY = "list quantum tasks by device, status, job, tag, creator and time (from the indexes)"
EXAMPLES = """\
  task-monitor tasks --since 7d
  task-monitor tasks --device arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1 --status QUEUED
  task-monitor tasks --tag project=vqe-h2 --since 2026-11-01 --csv > vqe.csv
  task-monitor tasks --creator arn:aws:iam::123456789012:role/QubitWrangler --json
  task-monitor tasks --demo --status COMPLETED
"""

COLUMNS = (
    Column("task", "task"),
    Column("status", "status"),
    Column("device", "device"),
    Column("createdAt", "created (UTC)"),
    Column("shots", "shots", numeric=True),
    Column("shotsOk", "ok", numeric=True),
    Column("queued", "queued"),
    Column("ran", "ran"),
    Column("cost", "est. cost"),
    Column("creator", "creator", wrap=True),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_listing_options(parser, tasks=True)


def run(args: argparse.Namespace, output: Output) -> int:
    from task_monitor_cli.listings import ListingError, TaskFilter, list_tasks, parse_tag

    try:
        task_filter = TaskFilter(
            device=args.device,
            status=args.status,
            since=args.since,
            until=args.until,
            job=args.job,
            tag=parse_tag(args.tag) if args.tag else None,
            creator=args.creator,
        )
    except ListingError as error:
        raise UsageError(str(error)) from None
    return show_listing(
        args, output, lister=list_tasks, listing_filter=task_filter, columns=COLUMNS, line=task_line, noun="task"
    )


def task_line(row: dict[str, Any], *, full: bool = False) -> dict[str, Any]:
    """A task row as a person reads it (short ids, labels, times to the second, the creator's role or
    user name), or as recorded for CSV (whole ARNs, instants, decimal strings)."""
    timings = row.get("timings") or {}
    device = row.get("deviceArn") or ""
    return {
        "task": row["arn"] if full else short_id(row["arn"]),
        "status": row.get("status"),
        "device": device if full else device_label(device) if device else "",
        "createdAt": row.get("createdAt") if full else short_time(row.get("createdAt")),
        "shots": row.get("shots"),
        "shotsOk": row.get("numSuccessfulShots"),
        "queued": _duration(timings.get("queuedSeconds"), full),
        "ran": _duration(timings.get("runningSeconds"), full),
        "cost": listed_cost(row, full=full),
        "creator": row.get("creator") if full else caller_text({"principal": row.get("creator")}),
    }


def _duration(seconds: Any, full: bool) -> Any:
    if seconds is None:
        return None
    return seconds if full else format_duration(seconds)
