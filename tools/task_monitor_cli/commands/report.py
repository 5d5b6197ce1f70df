"""``task-monitor report --since 7d``: what ran, how it went, how long it waited and what it cost.

Per group (device, status, job, creator or a tag's value): tasks, failure rate, queue wait p50/p90,
running time p50, shots and the estimated cost, with the top spenders; ``--html FILE`` writes one
self-contained page with its charts (docs/report.md). The tasks are those created in the window,
listed through the table's indexes (never a scan), each read with what the report needs. Money is
an estimate with its price table's date, never a bill.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from task_monitor_cli.errors import CommandFailedError, UsageError
from task_monitor_cli.output import Column, Output
from task_monitor_cli.target import TABLE, add_target_options, open_target

NAME = "report"
SUMMARY = "counts, failure rate, queue wait, running time, shots and estimated cost per group; --html"
EXAMPLES = """\
  task-monitor report --since 7d
  task-monitor report --since 2026-11-01 --until 2026-11-30 --by creator
  task-monitor report --since 30d --by tag:project --csv > spend.csv
  task-monitor report --since 7d --html report.html      # one page, charts included, no network
  task-monitor report --demo --since 2026-11-01 --by device
"""


# What the report reads of each task: a task row's attributes, and its tags (read from the item).
def _report_attributes() -> frozenset[str]:
    from task_monitor_cli.listings import TASK_ROW_ATTRIBUTES

    return TASK_ROW_ATTRIBUTES | {"tags"}


HEADINGS = {
    "group": "group",
    "tasks": "tasks",
    "completed": "done",
    "failed": "failed",
    "cancelled": "cancelled",
    "inProgress": "running",
    "failureRate": "fail rate",
    "queueWaitP50Seconds": "wait p50",
    "queueWaitP90Seconds": "wait p90",
    "runningP50Seconds": "run p50",
    "shotsRequested": "shots",
    "shotsSuccessful": "shots ok",
    "estimatedCostUsd": "est. cost",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", required=True, help="tasks created at or after: 7d, 2026-11-01, ... (UTC)")
    parser.add_argument("--until", help="created before (default: now)")
    parser.add_argument(
        "--by", default="device", metavar="GROUPING", help="device (default), status, job, creator or tag:KEY"
    )
    parser.add_argument("--html", metavar="FILE", help="also write the report as one self-contained HTML page")
    add_target_options(parser, names=(TABLE,))


def run(args: argparse.Namespace, output: Output) -> int:
    from task_monitor_cli.listings import ListingError, TaskFilter, plan_tasks, run_plan
    from task_monitor_cli.report.figures import build_report
    from task_monitor_cli.times import window

    since, until = window(args.since, args.until)
    try:
        plan = plan_tasks(TaskFilter(since=since, until=until))
    except ListingError as error:
        raise UsageError(str(error)) from None
    with open_target(args) as target, output.progress("reading tasks") as advance:
        records = []
        for record in run_plan(target.audit_log(), plan, _report_attributes()):
            records.append(record)
            advance()
    try:
        report = build_report(records, since=since, until=until, by=args.by)
    except ValueError as error:
        raise UsageError(f"{error}") from None
    if args.html:
        _write_html(report, Path(args.html))
    _show(report, output, since, until)
    if args.html:
        output.note(f"wrote {args.html}")
    return 0


def _write_html(report: Any, path: Path) -> None:
    from task_monitor_cli.report.html import render_html

    try:
        path.write_text(render_html(report), encoding="utf-8")
    except OSError as error:
        raise CommandFailedError(f"cannot write {path}: {error.strerror}; give --html a writable path") from None


def _show(report: Any, output: Output, since: datetime, until: datetime) -> None:
    from task_monitor_cli.report.figures import (
        ROW_COLUMNS,
        money_shown,
        report_json,
        report_rows,
        shown_row,
        total_row,
    )

    if output.format == "json":
        output.document(report_json(report))
        return
    rows = [*report_rows(report), total_row(report)]
    if output.format == "csv":
        output.table([Column(key, key) for key in ROW_COLUMNS], rows)
        return
    output.line(f"Tasks created {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} UTC, by {report.by}")
    columns = [Column(key, heading, numeric=key != "group", wrap=key == "group") for key, heading in HEADINGS.items()]
    output.table(columns, [shown_row(row) for row in rows])
    if report.top_spenders:
        spenders = (f"{creator} {money_shown(amount, approximate=False)}" for creator, amount in report.top_spenders)
        output.line("Top spenders (estimated): " + ", ".join(spenders))
    dates = ", ".join(report.price_table_dates) or "none"
    output.line(
        f"Costs are estimates (price table of {dates}), never a bill: ~ marks a group with an approximate one;"
        " rounded here, exact in --csv and --json."
    )
