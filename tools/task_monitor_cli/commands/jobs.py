"""``task-monitor jobs``: hybrid jobs by status, creator and creation time, from the indexes."""

from __future__ import annotations

import argparse
from typing import Any

from task_monitor_cli.errors import UsageError
from task_monitor_cli.listing_command import add_listing_options, listed_cost, show_listing
from task_monitor_cli.output import Column, Output
from task_monitor_cli.render import caller_text, device_label, short_id, short_time

NAME = "jobs"
SUMMARY = "list hybrid jobs by status, creator and time (from the indexes)"
EXAMPLES = """\
  task-monitor jobs --since 30d
  task-monitor jobs --status FAILED --json
  task-monitor jobs --demo
"""

COLUMNS = (
    Column("job", "job"),
    Column("status", "status"),
    Column("statusTime", "since (UTC)"),
    Column("device", "device"),
    Column("createdAt", "created (UTC)"),
    Column("cost", "est. cost"),
    Column("creator", "creator", wrap=True),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_listing_options(parser, tasks=False)


def run(args: argparse.Namespace, output: Output) -> int:
    from task_monitor_cli.listings import JobFilter, ListingError, list_jobs

    try:
        job_filter = JobFilter(status=args.status, since=args.since, until=args.until, creator=args.creator)
    except ListingError as error:
        raise UsageError(str(error)) from None
    return show_listing(
        args, output, lister=list_jobs, listing_filter=job_filter, columns=COLUMNS, line=_job_line, noun="job"
    )


def _job_line(row: dict[str, Any], *, full: bool) -> dict[str, Any]:
    device = row.get("deviceArn") or ""
    return {
        "job": row["arn"] if full else short_id(row["arn"]),
        "status": row.get("status"),
        "statusTime": row.get("statusTime") if full else short_time(row.get("statusTime")),
        "device": device if full else device_label(device) if device else "",
        "createdAt": row.get("createdAt") if full else short_time(row.get("createdAt")),
        "cost": listed_cost(row, full=full),
        "creator": row.get("creator") if full else caller_text({"principal": row.get("creator")}),
    }
