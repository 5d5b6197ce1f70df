"""``task-monitor tasks``: quantum tasks by device, status, job, tag, creator and creation time.

Answered from the audit table's indexes, page by page (never a scan): the index is chosen by the
most selective filter (docs/listings.md). --since and --until bound the task's creation time.
"""

from __future__ import annotations

import argparse
from typing import Any

from task_monitor.domain.notification_model import format_duration
from task_monitor_cli.commands.history import cost_text
from task_monitor_cli.errors import UsageError
from task_monitor_cli.output import Column, Output
from task_monitor_cli.render import device_label, short_id
from task_monitor_cli.target import TABLE, add_target_options, open_target

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
    Column("createdAt", "created"),
    Column("shots", "shots", numeric=True),
    Column("shotsOk", "ok", numeric=True),
    Column("queued", "queued"),
    Column("ran", "ran"),
    Column("cost", "est. cost"),
    Column("creator", "creator", wrap=True),
)


def add_listing_options(parser: argparse.ArgumentParser, *, tasks: bool) -> None:
    """The filters ``tasks`` and ``jobs`` share (and the ones only tasks have)."""
    parser.add_argument("--status", help="a status, e.g. COMPLETED, FAILED, QUEUED")
    parser.add_argument("--since", help="created at or after: 7d, 12h, 2026-11-01 or 2026-11-01T08:00Z (UTC)")
    parser.add_argument("--until", help="created at or before (a date includes its whole day)")
    parser.add_argument("--creator", help="who created it: a principal ARN as recorded, or unknown")
    if tasks:
        parser.add_argument("--device", help="a device ARN")
        parser.add_argument("--job", help="a hybrid job ARN: its tasks")
        parser.add_argument("--tag", metavar="KEY=VALUE", help="a tag the task carries")
    parser.add_argument("--newest-first", action="store_true", help="the most recent first")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N rows")
    add_target_options(parser, names=(TABLE,))


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
    with open_target(args) as target:
        rows = list(limited(list_tasks(target.audit_log(), task_filter, newest_first=args.newest_first), args.limit))
    if output.format == "json":
        output.document(rows)
    else:
        output.table(COLUMNS, (task_line(row, full=output.format == "csv") for row in rows))
        output.line(f"{len(rows)} task(s)")
    return 0


def limited(rows: Any, limit: int | None) -> Any:
    if limit is not None and limit < 1:
        raise UsageError(f"--limit {limit}: give 1 or more")
    for count, row in enumerate(rows, start=1):
        yield row
        if limit is not None and count >= limit:
            return


def task_line(row: dict[str, Any], *, full: bool = False) -> dict[str, Any]:
    """A task row as a person reads it (short ids and labels), or with whole ARNs for CSV."""
    timings = row.get("timings") or {}
    device = row.get("deviceArn") or ""
    return {
        "task": row["arn"] if full else short_id(row["arn"]),
        "status": row.get("status"),
        "device": device if full else device_label(device) if device else "",
        "createdAt": row.get("createdAt"),
        "shots": row.get("shots"),
        "shotsOk": row.get("numSuccessfulShots"),
        "queued": _duration(timings.get("queuedSeconds"), full),
        "ran": _duration(timings.get("runningSeconds"), full),
        "cost": listed_cost(row, full=full),
        "creator": row.get("creator"),
    }


def _duration(seconds: Any, full: bool) -> Any:
    if seconds is None:
        return None
    return seconds if full else format_duration(seconds)


def listed_cost(row: dict[str, Any], *, full: bool) -> Any:
    """The decimal string (CSV), or the estimate as people read it: ``~$0.62``, ``unknown``."""
    cost = row.get("estimatedCost")
    return (cost or {}).get("amountUsd") if full else cost_text(cost, brief=True)
